package org.audienceengine.connectors.delivery;

/** What one partner response (or its absence) means for delivery; see {@link ResponseClassifier}. */
public enum Outcome {
    /** Done; the partner is in the intended state. */
    SUCCESS,
    /** Transient: network error, timeout, 429, 5xx, throttling. Retried with backoff. */
    RETRYABLE,
    /** The request itself is wrong (other 4xx): dead-lettered at once. */
    PERMANENT,
    /** The credentials are refused (401/403): the connection is faulted, the change held. */
    AUTH
}
