package org.audienceengine.connectors.delivery;

/** Counters of one connection since the engine started (per parallel instance). */
public record ConnectionStats(String connectionId, boolean faulted, long delivered, long unmatched, long filtered,
                              long deadLettered, long requests, long retries, int inFlight, int pending) {
}
