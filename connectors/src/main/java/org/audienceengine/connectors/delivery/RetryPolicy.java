package org.audienceengine.connectors.delivery;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The delivery settings shared by every partner output (connections.md "Delivery rules"), with
 * their defaults.
 */
public record RetryPolicy(long timeoutMs, int maxAttempts, long maxRetryMs, long initialBackoffMs,
                          long maxBackoffMs, int faultAfterFailures) {

    public static RetryPolicy from(JsonNode settings) {
        return new RetryPolicy(
                settings.path("timeout_ms").asLong(10_000),
                settings.path("max_attempts").asInt(10),
                settings.path("max_retry_ms").asLong(3_600_000),
                settings.path("initial_backoff_ms").asLong(500),
                settings.path("max_backoff_ms").asLong(60_000),
                settings.path("fault_after_failures").asInt(100));
    }

    /**
     * The wait before attempt {@code failedAttempts + 1}: exponential from the initial backoff,
     * capped, with "equal jitter" (half fixed, half random) so that many users failing together
     * do not come back together. A {@code Retry-After} from the partner wins when it is given.
     */
    public long backoffMs(int failedAttempts, long retryAfterMs) {
        if (retryAfterMs >= 0) {
            return retryAfterMs;
        }
        int shift = Math.min(Math.max(failedAttempts - 1, 0), 30);
        long base = Math.min(maxBackoffMs, initialBackoffMs << shift);
        long half = base / 2;
        return half + ThreadLocalRandom.current().nextLong(base - half + 1);
    }
}
