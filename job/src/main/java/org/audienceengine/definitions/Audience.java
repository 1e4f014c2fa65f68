package org.audienceengine.definitions;

import org.audienceengine.evaluation.Condition;

import java.io.Serializable;

/** One compiled audience definition. */
public record Audience(
        int id, String name, String externalName, boolean enabled, Condition criteria, boolean nested)
        implements Serializable {}
