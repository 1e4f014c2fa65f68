package org.audienceengine.cli;

import java.util.Map;

/**
 * Commands that live in other modules (the state tools) and join {@code bin/audience-engine}
 * when their jar is on the class path, found with {@link java.util.ServiceLoader}.
 */
public interface CommandProvider {
    /** Picocli command objects by name. */
    Map<String, Object> commands();
}
