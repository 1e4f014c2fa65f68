package org.audienceengine.connectors.delivery;

import java.util.Objects;

/** A resolved secret. Its {@link #toString()} never shows the value, so it cannot leak by accident. */
public final class Secret {

    private final String value;

    public Secret(String value) {
        this.value = Objects.requireNonNull(value);
    }

    /** The value, for building a request header or a signature; never log it. */
    public String reveal() {
        return value;
    }

    @Override
    public String toString() {
        return "***";
    }
}
