package org.audienceengine.evaluation;

import java.io.Serializable;

/**
 * A window W with its bucket b(W) (one minute up to 24 h, else one hour). An instant t lies in
 * the window at evaluation time T iff {@code q(T) − W/b < q(t) ≤ q(T)} with {@code q(t) =
 * floor(t / b)}; for whole W/b an instant leaves at {@code (q(t) + W/b) · b}. A W that is not a
 * whole number of buckets (say 1441m) is rounded up to one, which is what the inequality says.
 */
public record Window(long millis, long bucketMillis, long buckets) implements Serializable {
    public static final long MINUTE = 60_000L;
    public static final long HOUR = 60 * MINUTE;
    public static final long DAY = 24 * HOUR;

    public static Window of(long millis) {
        long bucket = millis <= DAY ? MINUTE : HOUR;
        return new Window(millis, bucket, -Math.floorDiv(-millis, bucket));
    }

    /**
     * The window with this one's buckets and a whole number of them: windows that differ only in
     * how far the last bucket was rounded up have the same edges and compare equal by this.
     */
    public Window edges() {
        return millis == buckets * bucketMillis ? this : new Window(buckets * bucketMillis, bucketMillis, buckets);
    }

    public static long bucketOf(long t, long bucketMillis) {
        return Math.floorDiv(t, bucketMillis);
    }

    public long bucketOf(long t) {
        return bucketOf(t, bucketMillis);
    }

    /** Whether bucket q is in the window at time T. */
    public boolean contains(long q, long at) {
        long qAt = bucketOf(at);
        return q <= qAt && q > qAt - buckets;
    }

    /** The first bucket (inclusive) in the window at time T. */
    public long firstBucket(long at) {
        return bucketOf(at) - buckets + 1;
    }

    /** The instant at which bucket q enters the window. */
    public long enterInstant(long q) {
        return q * bucketMillis;
    }

    /** The instant at which bucket q leaves the window. */
    public long leaveInstant(long q) {
        return (q + buckets) * bucketMillis;
    }
}
