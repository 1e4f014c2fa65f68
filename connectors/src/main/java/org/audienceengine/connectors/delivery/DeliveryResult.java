package org.audienceengine.connectors.delivery;

import java.io.Serializable;

/** How the delivery of one {@link AudienceChange} ended. */
public record DeliveryResult(Status status, String deltaId, int attempts, DeadLetter deadLetter) implements Serializable {

    public enum Status {
        /** The partner accepted the call (for a batch: the call that carried this change). */
        DELIVERED,
        /** The user has no identity this output accepts; counted per connection, nothing sent. */
        SKIPPED_UNMATCHED,
        /** Not for this connection: another environment, or an audience it does not forward. */
        SKIPPED_FILTERED,
        /** Failed for good; {@link #deadLetter()} is the record for the dead-letter topic. */
        DEAD_LETTERED
    }

    static DeliveryResult delivered(String deltaId, int attempts) {
        return new DeliveryResult(Status.DELIVERED, deltaId, attempts, null);
    }

    static DeliveryResult skipped(Status status, String deltaId) {
        return new DeliveryResult(status, deltaId, 0, null);
    }

    static DeliveryResult deadLettered(String deltaId, DeadLetter letter) {
        return new DeliveryResult(Status.DEAD_LETTERED, deltaId, letter.attempts(), letter);
    }
}
