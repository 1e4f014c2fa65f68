package org.audienceengine.connectors.delivery;

/**
 * At most {@code limit} requests in any {@code windowMs}: a sliding window over the times of the
 * last {@code limit} requests. A token bucket refilled continuously would allow up to twice the
 * limit within one window (a full bucket, then the refill), which a partner counting requests
 * per window, as Braze does, answers with 429s. Not thread-safe: one task thread owns it.
 */
public final class RateLimiter {

    private final long[] sentAt;
    private final long windowMs;
    private int next;
    private int count;

    public RateLimiter(int limit, long windowMs) {
        this.sentAt = new long[limit];
        this.windowMs = windowMs;
    }

    /** Records a request and returns 0, or returns how many ms until one may go. */
    public long tryAcquire(long nowMs) {
        if (count == sentAt.length) {
            // The oldest of the last `limit` requests; `next` is where the next one will be written.
            long oldest = sentAt[next];
            if (nowMs - oldest < windowMs) {
                return oldest + windowMs - nowMs;
            }
        } else {
            count++;
        }
        sentAt[next] = nowMs;
        next = (next + 1) % sentAt.length;
        return 0;
    }
}
