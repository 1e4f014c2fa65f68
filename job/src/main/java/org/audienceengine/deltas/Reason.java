package org.audienceengine.deltas;

/** The {@code reason} values of deltas.md. */
public final class Reason {
    public static final String CRITERIA = "criteria";
    public static final String EXPIRY = "expiry";
    public static final String DEFINITION = "definition";
    public static final String PROFILE_EXPIRED = "profile_expired";
    public static final String ERASURE = "erasure";
    public static final String IDENTITY_CHANGE = "identity_change";

    private Reason() {}
}
