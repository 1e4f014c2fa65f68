package org.audienceengine.profile;

import java.util.Arrays;

/**
 * A user's event series by series key, in key order: sorted parallel arrays rather than a boxed
 * hash map. Every evaluated event condition looks its series up here, hundreds per batch with
 * hundreds of audiences; a user has a few dozen series, so a binary search over one array of
 * keys beats hashing a boxed key. Key order also makes the stored profile's bytes depend on its
 * content alone.
 */
public final class SeriesMap {
    private static final long[] NO_KEYS = new long[0];
    private static final BucketSeries[] NO_SERIES = new BucketSeries[0];

    private long[] keys = NO_KEYS;
    private BucketSeries[] values = NO_SERIES;
    private int size;

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** Room for {@code n} series, so that a decode fills the arrays without growing them. */
    public void reserve(int n) {
        if (n > keys.length) {
            keys = Arrays.copyOf(keys, n);
            values = Arrays.copyOf(values, n);
        }
    }

    /** The series with this key, or null. */
    public BucketSeries get(long key) {
        int i = indexOf(key);
        return i >= 0 ? values[i] : null;
    }

    public boolean containsKey(long key) {
        return indexOf(key) >= 0;
    }

    /** The series with this key, a new empty one when there was none. */
    public BucketSeries getOrCreate(long key) {
        int i = indexOf(key);
        if (i >= 0) {
            return values[i];
        }
        BucketSeries created = new BucketSeries();
        insert(-i - 1, key, created);
        return created;
    }

    public void put(long key, BucketSeries series) {
        int i = indexOf(key);
        if (i >= 0) {
            values[i] = series;
        } else {
            insert(-i - 1, key, series);
        }
    }

    /** The i-th key in ascending order. */
    public long keyAt(int i) {
        return keys[i];
    }

    public BucketSeries valueAt(int i) {
        return values[i];
    }

    /** Keeps the entries the filter accepts, in order. */
    public void retain(Filter keep) {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            if (keep.keep(keys[i], values[i])) {
                keys[kept] = keys[i];
                values[kept] = values[i];
                kept++;
            }
        }
        Arrays.fill(values, kept, size, null);
        size = kept;
    }

    /** Whether an entry stays. */
    @FunctionalInterface
    public interface Filter {
        boolean keep(long key, BucketSeries series);
    }

    private int indexOf(long key) {
        // Decoding and new series mostly come in key order: the last entry first.
        if (size > 0 && keys[size - 1] < key) {
            return -size - 1;
        }
        return Arrays.binarySearch(keys, 0, size, key);
    }

    private void insert(int i, long key, BucketSeries series) {
        if (size == keys.length) {
            int grown = Math.max(4, size * 2);
            keys = Arrays.copyOf(keys, grown);
            values = Arrays.copyOf(values, grown);
        }
        System.arraycopy(keys, i, keys, i + 1, size - i);
        System.arraycopy(values, i, values, i + 1, size - i);
        keys[i] = key;
        values[i] = series;
        size++;
    }
}
