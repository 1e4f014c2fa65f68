package org.audienceengine.ingest;

/** Why a record was dead-lettered: a reason (the metric label) and a human-readable detail. */
public record Rejection(Reason reason, String detail) {

    /** The reasons of events.md "Bad input"; labels are stable: metrics and DLQ records use them. */
    public enum Reason {
        NOT_JSON("not_json"),
        NOT_AN_OBJECT("not_object"),
        WRONG_TYPE("wrong_type"),
        NO_IDENTITY("no_identity"),
        TOO_LARGE("too_large"),
        OVER_LIMIT("over_limit"),
        BAD_EVENT("bad_event"),
        NO_TIME("no_time");

        private final String label;

        Reason(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }
}
