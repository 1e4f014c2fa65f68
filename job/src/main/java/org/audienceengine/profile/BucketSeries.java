package org.audienceengine.profile;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Arrays;

/**
 * The time buckets of one event series of one user, in bucket order: parallel arrays rather than
 * a tree of objects, because a profile is decoded, updated and encoded on every batch and most
 * series hold a handful of buckets. A series that counts only keeps no decimal arrays at all.
 *
 * <p>The aggregates are decimals, not doubles: audiences compare them with thresholds ("sum gt
 * 0.3"), where binary rounding would flip memberships (0.1 + 0.2 > 0.3 in double), and a value
 * past the double range (1e400) would become Infinity. 34 significant digits bound the cost of
 * each value.
 *
 * <p>A series read back from state starts <em>packed</em>: its counts and aggregates stay as the
 * bytes they were stored as until something reads or changes them, and so do its bucket numbers
 * but the first (a prune asks only whether the first bucket left its windows; the window-edge
 * walks and evaluation decode them all). A batch touches a few of a user's series; the others are
 * written back byte for byte (see {@link ProfileCodec}).
 */
public final class BucketSeries {
    public static final MathContext PRECISION = MathContext.DECIMAL128;

    /** Null while the bucket numbers are still packed ({@link #first} and {@link #size} are known). */
    private long[] buckets;
    private long first;
    private long[] counts;
    private long[] numericCounts;
    /** Null until a numeric value arrives; then per bucket null while its numeric count is 0. */
    private BigDecimal[] sums;
    private BigDecimal[] mins;
    private BigDecimal[] maxes;
    private int size;
    /** While packed: the stored counts and aggregates (counts is null meanwhile). */
    private byte[] packed;
    private int packedAt;
    private int packedLength;
    /** While packed: where the stored series begins (its bucket numbers, then the payload's length). */
    private int storedAt;

    public BucketSeries() {
        this(2);
    }

    BucketSeries(int capacity) {
        buckets = new long[capacity];
        counts = new long[capacity];
        numericCounts = new long[capacity];
    }

    /**
     * A series of {@code size} buckets, the first of them {@code first}, whose bucket numbers and
     * payload are still in {@code data}: the series as stored spans {@code storedAt} (its size,
     * then its bucket numbers) to the payload's end; the payload begins at {@code at}.
     */
    static BucketSeries packed(int size, long first, byte[] data, int storedAt, int at, int length) {
        BucketSeries s = new BucketSeries(0);
        s.buckets = null;
        s.first = first;
        s.size = size;
        s.counts = null;
        s.numericCounts = null;
        s.packed = data;
        s.packedAt = at;
        s.packedLength = length;
        s.storedAt = storedAt;
        return s;
    }

    boolean isPacked() {
        return counts == null;
    }

    /** Whether the bucket numbers, but the first, are still as stored. */
    boolean numbersPacked() {
        return buckets == null;
    }

    byte[] packedData() {
        return packed;
    }

    int packedAt() {
        return packedAt;
    }

    int packedLength() {
        return packedLength;
    }

    /**
     * Where the series as stored begins. While packed, nothing has changed it since (every change
     * unpacks first), so those bytes are what encoding it again would write.
     */
    int storedAt() {
        return storedAt;
    }

    /**
     * Decodes the bucket numbers, when something first needs more than the first of them. The
     * payload is unpacked only after them, so the stored bytes are still at hand here.
     */
    private long[] numbers() {
        if (buckets == null) {
            buckets = ProfileBytes.In.bucketNumbers(packed, storedAt);
        }
        return buckets;
    }

    private void unpack() {
        int capacity = numbers().length;
        counts = new long[capacity];
        numericCounts = new long[capacity];
        ProfileCodec.unpack(this, packed, packedAt);
        packed = null;
    }

    /** Sets bucket i's payload as read from state. */
    void restore(int i, long count, long numericCount, BigDecimal sum, BigDecimal min, BigDecimal max) {
        counts[i] = count;
        numericCounts[i] = numericCount;
        if (numericCount > 0) {
            if (sums == null) {
                sums = new BigDecimal[buckets.length];
                mins = new BigDecimal[buckets.length];
                maxes = new BigDecimal[buckets.length];
            }
            sums[i] = sum;
            mins[i] = min;
            maxes[i] = max;
        }
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public long bucket(int i) {
        return numbers()[i];
    }

    public long count(int i) {
        if (counts == null) {
            unpack();
        }
        return counts[i];
    }

    public long numericCount(int i) {
        if (counts == null) {
            unpack();
        }
        return numericCounts[i];
    }

    public BigDecimal sum(int i) {
        if (counts == null) {
            unpack();
        }
        return numericCounts[i] == 0 ? BigDecimal.ZERO : sums[i];
    }

    public BigDecimal min(int i) {
        if (counts == null) {
            unpack();
        }
        return numericCounts[i] == 0 ? null : mins[i];
    }

    public BigDecimal max(int i) {
        if (counts == null) {
            unpack();
        }
        return numericCounts[i] == 0 ? null : maxes[i];
    }

    /** The index of the first bucket ≥ q (size when there is none). */
    public int ceilingIndex(long q) {
        int i = Arrays.binarySearch(numbers(), 0, size, q);
        return i >= 0 ? i : -i - 1;
    }

    /** Counts one event in bucket q, with its numeric value (null for none). */
    public void add(long q, BigDecimal numericValue) {
        if (counts == null) {
            unpack();
        }
        int i = indexFor(q);
        counts[i]++;
        if (numericValue != null) {
            BigDecimal v = numericValue.round(PRECISION);
            if (sums == null) {
                sums = new BigDecimal[buckets.length];
                mins = new BigDecimal[buckets.length];
                maxes = new BigDecimal[buckets.length];
            }
            if (numericCounts[i]++ == 0) {
                sums[i] = v;
                mins[i] = v;
                maxes[i] = v;
            } else {
                sums[i] = sums[i].add(v, PRECISION);
                mins[i] = v.compareTo(mins[i]) < 0 ? v : mins[i];
                maxes[i] = v.compareTo(maxes[i]) > 0 ? v : maxes[i];
            }
        }
    }

    /** Appends a bucket read back from state; buckets arrive in order. */
    void append(long q, long count, long numericCount, BigDecimal sum, BigDecimal min, BigDecimal max) {
        int i = insertAt(size);
        buckets[i] = q;
        restore(i, count, numericCount, sum, min, max);
    }

    /** Drops every bucket ≤ q. */
    public void dropThrough(long q) {
        // Most prunes find nothing old enough to drop: the first bucket says so without a search.
        if (size == 0 || (buckets == null ? first : buckets[0]) > q) {
            return;
        }
        int keep = ceilingIndex(q + 1);
        if (counts == null) {
            unpack();
        }
        int left = size - keep;
        System.arraycopy(buckets, keep, buckets, 0, left);
        System.arraycopy(counts, keep, counts, 0, left);
        System.arraycopy(numericCounts, keep, numericCounts, 0, left);
        if (sums != null) {
            System.arraycopy(sums, keep, sums, 0, left);
            System.arraycopy(mins, keep, mins, 0, left);
            System.arraycopy(maxes, keep, maxes, 0, left);
            Arrays.fill(sums, left, size, null);
            Arrays.fill(mins, left, size, null);
            Arrays.fill(maxes, left, size, null);
        }
        size = left;
    }

    private int indexFor(long q) {
        int i = Arrays.binarySearch(buckets, 0, size, q);
        if (i >= 0) {
            return i;
        }
        i = insertAt(-i - 1);
        buckets[i] = q;
        return i;
    }

    /** Opens an empty slot at position i. */
    private int insertAt(int i) {
        if (size == buckets.length) {
            int capacity = Math.max(4, size * 2);
            buckets = Arrays.copyOf(buckets, capacity);
            counts = Arrays.copyOf(counts, capacity);
            numericCounts = Arrays.copyOf(numericCounts, capacity);
            if (sums != null) {
                sums = Arrays.copyOf(sums, capacity);
                mins = Arrays.copyOf(mins, capacity);
                maxes = Arrays.copyOf(maxes, capacity);
            }
        }
        int tail = size - i;
        System.arraycopy(buckets, i, buckets, i + 1, tail);
        System.arraycopy(counts, i, counts, i + 1, tail);
        System.arraycopy(numericCounts, i, numericCounts, i + 1, tail);
        counts[i] = 0;
        numericCounts[i] = 0;
        if (sums != null) {
            System.arraycopy(sums, i, sums, i + 1, tail);
            System.arraycopy(mins, i, mins, i + 1, tail);
            System.arraycopy(maxes, i, maxes, i + 1, tail);
            sums[i] = null;
            mins[i] = null;
            maxes[i] = null;
        }
        size++;
        return i;
    }
}
