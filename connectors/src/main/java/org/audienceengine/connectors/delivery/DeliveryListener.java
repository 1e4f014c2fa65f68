package org.audienceengine.connectors.delivery;

/**
 * Hears connection-level events so that the operator can report them (metrics, a log line, a
 * status topic). Called from I/O threads, outside the engine's locks: keep it short.
 */
public interface DeliveryListener {

    /** The connection stopped sending; its changes are held until {@code resume}. */
    default void faulted(String connectionId, String reason) {
    }

    default void resumed(String connectionId) {
    }

    default void deadLettered(DeadLetter letter) {
    }

    DeliveryListener NONE = new DeliveryListener() {
    };
}
