package org.audienceengine.evaluation;

import org.audienceengine.definitions.AudienceSet;
import org.audienceengine.profile.BucketSeries;
import org.audienceengine.profile.UserProfile;

import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * A profile's next window edges after T, in order, each with the audiences that read an input
 * with an edge there: a bucket entering (events dated ahead) a series' windows, a bucket leaving
 * one of them (only the conditions over that window), or the first-seen time entering or leaving
 * a window. Found in one walk over the series, taking from each only its edges before the first
 * few found overall, as only those are wanted.
 */
final class UpcomingEdges {
    private final AudienceSet set;
    private long[] instants;
    private long[] series;
    /**
     * What the edge changes: the window (in buckets) a bucket leaves, {@link #ENTERING} for a
     * bucket entering them all, or {@link #FIRST_SEEN} for the first-seen input (with the index
     * of its window in the set's first-seen windows in place of a series key).
     */
    private long[] change;
    private static final long ENTERING = 0;
    private static final long FIRST_SEEN = -1;
    private int size;
    /** The first {@code limit} distinct instants found so far, ascending. */
    private final long[] distinct;
    private int distinctSize;

    private UpcomingEdges(AudienceSet set, int limit) {
        this.set = set;
        this.distinct = new long[limit];
        // Sized by the instants wanted (a batch asks one of the series it touched): a few edges each.
        int capacity = Math.max(4, 4 * limit);
        instants = new long[capacity];
        series = new long[capacity];
        change = new long[capacity];
    }

    /** The first edge after {@code at} of the first {@code n} series of {@code keys} (Long.MAX_VALUE: none). */
    static long first(AudienceSet set, UserProfile p, long at, long[] keys, int n) {
        UpcomingEdges edges = new UpcomingEdges(set, 1);
        int[] next = new int[8];
        for (int i = 0; i < n; i++) {
            EventSeries s = set.series(keys[i]);
            BucketSeries buckets = p.series.get(keys[i]);
            if (s != null && buckets != null) {
                next = edges.collect(keys[i], s, buckets, at, 1, next);
            }
        }
        return edges.count() == 0 ? Long.MAX_VALUE : edges.instant(0);
    }

    UpcomingEdges(AudienceSet set, UserProfile p, long at, int limit) {
        this(set, limit);
        int[] next = new int[8];
        for (int i = 0; i < p.series.size(); i++) {
            EventSeries s = set.series(p.series.keyAt(i));
            if (s != null) {
                next = collect(p.series.keyAt(i), s, p.series.valueAt(i), at, limit, next);
            }
        }
        if (p.firstSeenAt != Long.MAX_VALUE) {
            List<Window> windows = set.firstSeenWindows();
            for (int k = 0; k < windows.size(); k++) {
                Window w = windows.get(k);
                long q = w.bucketOf(p.firstSeenAt);
                if (w.enterInstant(q) > at) {
                    add(w.enterInstant(q), k, FIRST_SEEN);
                }
                if (w.leaveInstant(q) > at) {
                    add(w.leaveInstant(q), k, FIRST_SEEN);
                }
            }
        }
    }

    /** How many distinct instants were found (at most the limit). */
    int count() {
        return distinctSize;
    }

    /** The i-th edge instant in time order. */
    long instant(int i) {
        return distinct[i];
    }

    /** The audiences (and their nested dependants) reading an input with an edge at the i-th instant. */
    BitSet affected(int i) {
        long x = distinct[i];
        AudienceInputs inputs = set.inputs();
        BitSet affected = new BitSet(inputs.size());
        for (int j = 0; j < size; j++) {
            if (instants[j] == x) {
                if (change[j] == FIRST_SEEN) {
                    inputs.firstSeenWindowChanged(set.firstSeenWindows().get((int) series[j]), affected);
                } else if (change[j] == ENTERING) {
                    inputs.seriesChanged(series[j], affected);
                } else {
                    inputs.windowChanged(series[j], change[j], affected);
                }
            }
        }
        inputs.addDependants(affected);
        return affected;
    }

    /**
     * The series' first {@code limit} edges after {@code at}: a merge of its entering buckets and
     * of its buckets leaving each window, each sequence in bucket order.
     */
    private int[] collect(long key, EventSeries s, BucketSeries buckets, long at, int limit, int[] next) {
        long b = s.bucketMillis();
        long qAt = Window.bucketOf(at, b);
        long[] windows = s.windowBuckets();
        int sequences = windows.length + 1;
        if (next.length < sequences) {
            next = new int[sequences];
        }
        next[0] = buckets.ceilingIndex(qAt + 1);
        for (int k = 0; k < windows.length; k++) {
            next[k + 1] = buckets.ceilingIndex(qAt - windows[k] + 1);
        }
        long last = Long.MIN_VALUE;
        int taken = 0;
        while (true) {
            long min = Long.MAX_VALUE;
            int from = -1;
            for (int k = 0; k < sequences; k++) {
                if (next[k] < buckets.size()) {
                    long instant = (buckets.bucket(next[k]) + (k == 0 ? 0 : windows[k - 1])) * b;
                    if (instant < min) {
                        min = instant;
                        from = k;
                    }
                }
            }
            if (from < 0) {
                break;
            }
            if (min != last) {
                // Every edge at an instant taken is kept: each marks the readers of its own window.
                if (taken == limit || (distinctSize == distinct.length && min > distinct[distinctSize - 1])) {
                    break;
                }
                last = min;
                taken++;
            }
            next[from]++;
            add(min, key, from == 0 ? ENTERING : windows[from - 1]);
        }
        return next;
    }

    private void add(long instant, long key, long what) {
        if (distinctSize == distinct.length && instant > distinct[distinctSize - 1]) {
            return;
        }
        // A few instants, mostly found in time order: a scan from the end beats a binary search.
        int at = distinctSize;
        while (at > 0 && distinct[at - 1] > instant) {
            at--;
        }
        if (at == 0 || distinct[at - 1] != instant) {
            int moved = Math.min(distinctSize, distinct.length - 1) - at;
            System.arraycopy(distinct, at, distinct, at + 1, moved);
            distinct[at] = instant;
            distinctSize = Math.min(distinctSize + 1, distinct.length);
        }
        if (size == instants.length) {
            instants = Arrays.copyOf(instants, size * 2);
            series = Arrays.copyOf(series, size * 2);
            change = Arrays.copyOf(change, size * 2);
        }
        instants[size] = instant;
        series[size] = key;
        change[size] = what;
        size++;
    }
}
