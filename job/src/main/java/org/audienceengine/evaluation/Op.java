package org.audienceengine.evaluation;

import java.util.Locale;

/** The comparison operators of audiences.md, by their JSON names. */
public enum Op {
    EXISTS,
    NOT_EXISTS,
    EQUALS,
    NOT_EQUALS,
    CONTAINS,
    NOT_CONTAINS,
    MATCHES,
    IN,
    GT,
    GTE,
    LT,
    LTE,
    BETWEEN;

    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The operator with this JSON name, or null. */
    public static Op fromJson(String name) {
        for (Op op : values()) {
            if (op.jsonName().equals(name)) {
                return op;
            }
        }
        return null;
    }

    boolean isNumeric() {
        return this == GT || this == GTE || this == LT || this == LTE || this == BETWEEN;
    }
}
