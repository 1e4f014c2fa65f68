package org.audienceengine.profile;

import com.carrotsearch.hppc.IntIntHashMap;

import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;

import org.audienceengine.deltas.MembershipDelta;
import org.audienceengine.deltas.Reason;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * What users look for per audience, as Flink metrics of the profiles operator: {@code size}
 * (members), {@code adds}/{@code removes} per reason, {@code adds24h}/{@code removes24h} and
 * {@code volatility} ((adds + removes over 24 h) / size, as mParticle shows it); and for the
 * operator {@code profiles} (users in state) and {@code timersPending} (users with an armed timer).
 *
 * <p>Sizes must be right after a restore and a rescale, so they are counted per key group and
 * kept in union operator state: each subtask takes back the counts of the key groups it now
 * owns. The 24 h figures are per subtask and start again after a restart.
 */
final class MembershipMetrics {
    static final ListStateDescriptor<Tuple3<Integer, Integer, Long>> COUNTS = new ListStateDescriptor<>(
            "membership-counts", Types.TUPLE(Types.INT, Types.INT, Types.LONG));
    /** The ids that count users in state and users with an armed timer, beside the audiences' ids. */
    static final int PROFILES = -1;
    static final int TIMERS = -2;
    private static final int PROFILES_SLOT = 0;
    private static final int TIMERS_SLOT = 1;
    private static final List<String> REASONS = List.of(Reason.CRITERIA, Reason.EXPIRY, Reason.DEFINITION,
            Reason.PROFILE_EXPIRED, Reason.ERASURE, Reason.IDENTITY_CHANGE);
    private static final long HOUR = 3_600_000L;

    private final int maxParallelism;
    private final KeyGroupRange keyGroups;
    private final MetricGroup group;
    private final LongSupplier clock;
    /**
     * Every id counted (audiences, PROFILES, TIMERS) has a dense slot: a delta adds to two counts,
     * and with hundreds of audiences a map lookup per count (boxed keys, cache misses) was a
     * tenth of the keyed thread.
     */
    private final IntIntHashMap slots = new IntIntHashMap();
    private int[] idOfSlot = new int[16];
    /** Per key group this subtask owns (from its first), per slot: the count. */
    private final long[][] byKeyGroup;
    /** Per slot: the subtask's total. Grown by the task thread only; read by the metrics reporter's. */
    private volatile AtomicLongArray totals = new AtomicLongArray(16);
    private AudienceCounters[] counters = new AudienceCounters[16];

    MembershipMetrics(MetricGroup group, int maxParallelism, KeyGroupRange keyGroups, LongSupplier clock) {
        this.group = group;
        this.maxParallelism = maxParallelism;
        this.keyGroups = keyGroups;
        this.clock = clock;
        this.byKeyGroup = new long[keyGroups.getNumberOfKeyGroups()][];
        slot(PROFILES);
        slot(TIMERS);
        group.gauge("profiles", this::profiles);
        group.gauge("timersPending", this::timersPending);
    }

    /** The counts of the key groups this subtask owns, from every subtask's last snapshot. */
    void restore(ListState<Tuple3<Integer, Integer, Long>> state) throws Exception {
        for (Tuple3<Integer, Integer, Long> entry : state.get()) {
            if (keyGroups.contains(entry.f0)) {
                add(entry.f0, slot(entry.f1), entry.f2);
            }
        }
    }

    void snapshot(ListState<Tuple3<Integer, Integer, Long>> state) throws Exception {
        List<Tuple3<Integer, Integer, Long>> entries = new ArrayList<>();
        for (int g = 0; g < byKeyGroup.length; g++) {
            long[] counts = byKeyGroup[g];
            for (int s = 0; counts != null && s < counts.length; s++) {
                if (counts[s] != 0) {
                    entries.add(Tuple3.of(keyGroups.getStartKeyGroup() + g, idOfSlot[s], counts[s]));
                }
            }
        }
        state.update(entries);
    }

    /** Every audience of the set in force has its metrics from the start, members or not. */
    void register(Iterable<Integer> audienceIds) {
        for (int id : audienceIds) {
            counters(slot(id), id);
        }
    }

    void onDelta(MembershipDelta delta) {
        boolean add = MembershipDelta.ADD.equals(delta.action);
        int slot = slot(delta.audienceId);
        add(keyGroup(delta.mpid), slot, add ? 1 : -1);
        counters(slot, delta.audienceId).count(add, delta.reason, clock.getAsLong());
    }

    /** A user's profile and timer before and after one record or timer. */
    void onUser(long mpid, boolean hadProfile, boolean hasProfile, boolean hadTimer, boolean hasTimer) {
        if (hadProfile != hasProfile) {
            add(keyGroup(mpid), PROFILES_SLOT, hasProfile ? 1 : -1);
        }
        if (hadTimer != hasTimer) {
            add(keyGroup(mpid), TIMERS_SLOT, hasTimer ? 1 : -1);
        }
    }

    long size(int audienceId) {
        return total(audienceId);
    }

    long adds24h(int audienceId) {
        int slot = slots.getOrDefault(audienceId, -1);
        AudienceCounters c = slot < 0 ? null : counters[slot];
        return c == null ? 0 : c.last24h(c.addsByHour, clock.getAsLong());
    }

    long removes24h(int audienceId) {
        int slot = slots.getOrDefault(audienceId, -1);
        AudienceCounters c = slot < 0 ? null : counters[slot];
        return c == null ? 0 : c.last24h(c.removesByHour, clock.getAsLong());
    }

    /** (adds + removes over 24 h) / size; 0 for an empty audience. */
    double volatility(int audienceId) {
        return volatility(total(audienceId), adds24h(audienceId), removes24h(audienceId));
    }

    private static double volatility(long size, long adds, long removes) {
        return size == 0 ? 0.0 : (double) (adds + removes) / size;
    }

    long profiles() {
        return totals.get(PROFILES_SLOT);
    }

    long timersPending() {
        return totals.get(TIMERS_SLOT);
    }

    private long total(int id) {
        int slot = slots.getOrDefault(id, -1);
        return slot < 0 ? 0 : totals.get(slot);
    }

    private int keyGroup(long mpid) {
        return KeyGroupRangeAssignment.assignToKeyGroup(mpid, maxParallelism);
    }

    /** The slot of an id, given one on first sight. */
    private int slot(int id) {
        int slot = slots.getOrDefault(id, -1);
        if (slot >= 0) {
            return slot;
        }
        slot = slots.size();
        slots.put(id, slot);
        if (slot == idOfSlot.length) {
            int grown = slot * 2;
            idOfSlot = Arrays.copyOf(idOfSlot, grown);
            counters = Arrays.copyOf(counters, grown);
            AtomicLongArray wider = new AtomicLongArray(grown);
            for (int i = 0; i < slot; i++) {
                wider.set(i, totals.get(i));
            }
            totals = wider;
        }
        idOfSlot[slot] = id;
        return slot;
    }

    private void add(int keyGroup, int slot, long n) {
        int g = keyGroup - keyGroups.getStartKeyGroup();
        long[] counts = byKeyGroup[g];
        if (counts == null || counts.length <= slot) {
            counts = counts == null ? new long[idOfSlot.length] : Arrays.copyOf(counts, idOfSlot.length);
            byKeyGroup[g] = counts;
        }
        counts[slot] += n;
        // One writer (the task thread): a plain read and an ordered write suffice.
        AtomicLongArray t = totals;
        t.lazySet(slot, t.get(slot) + n);
    }

    private AudienceCounters counters(int slot, int id) {
        AudienceCounters c = counters[slot];
        if (c == null) {
            c = newCounters(slot, id);
            counters[slot] = c;
        }
        return c;
    }

    private AudienceCounters newCounters(int slot, int id) {
        MetricGroup audience = group.addGroup("audience", Integer.toString(id));
        AudienceCounters c = new AudienceCounters();
        for (int r = 0; r < REASONS.size(); r++) {
            MetricGroup byReason = audience.addGroup("reason", REASONS.get(r));
            c.adds[r] = byReason.counter("adds");
            c.removes[r] = byReason.counter("removes");
        }
        // The gauges hold their slot and counters: the reporter's thread never reads the id map.
        audience.gauge("size", () -> totals.get(slot));
        audience.gauge("adds24h", () -> c.last24h(c.addsByHour, clock.getAsLong()));
        audience.gauge("removes24h", () -> c.last24h(c.removesByHour, clock.getAsLong()));
        audience.gauge("volatility", () -> {
            long now = clock.getAsLong();
            return volatility(totals.get(slot), c.last24h(c.addsByHour, now), c.last24h(c.removesByHour, now));
        });
        return c;
    }

    /** The reason's index in REASONS (the constants of Reason, so mostly found by identity), or -1. */
    private static int reasonIndex(String reason) {
        for (int r = 0; r < REASONS.size(); r++) {
            if (REASONS.get(r) == reason) {
                return r;
            }
        }
        return REASONS.indexOf(reason);
    }

    /** One audience's counters, and its changes in the 24 hours up to now, by the hour. */
    private static final class AudienceCounters {
        final Counter[] adds = new Counter[REASONS.size()];
        final Counter[] removes = new Counter[REASONS.size()];
        final long[] addsByHour = new long[24];
        final long[] removesByHour = new long[24];
        final long[] hourOf = new long[24];

        void count(boolean add, String reason, long now) {
            int r = reasonIndex(reason);
            if (r >= 0) {
                (add ? adds : removes)[r].inc();
            }
            long hour = now / HOUR;
            int slot = (int) (hour % 24);
            if (hourOf[slot] != hour) {
                hourOf[slot] = hour;
                addsByHour[slot] = 0;
                removesByHour[slot] = 0;
            }
            (add ? addsByHour : removesByHour)[slot]++;
        }

        long last24h(long[] byHour, long now) {
            long hour = now / HOUR;
            long sum = 0;
            for (int slot = 0; slot < 24; slot++) {
                if (hour - hourOf[slot] < 24) {
                    sum += byHour[slot];
                }
            }
            return sum;
        }
    }
}
