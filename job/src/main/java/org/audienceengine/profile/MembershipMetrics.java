package org.audienceengine.profile;

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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
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
    private static final List<String> REASONS = List.of(Reason.CRITERIA, Reason.EXPIRY, Reason.DEFINITION,
            Reason.PROFILE_EXPIRED, Reason.ERASURE, Reason.IDENTITY_CHANGE);
    private static final long HOUR = 3_600_000L;

    private final int maxParallelism;
    private final KeyGroupRange keyGroups;
    private final MetricGroup group;
    private final LongSupplier clock;
    /**
     * Key group → audience (or PROFILES, TIMERS) → count, in a mutable cell: a delta adds to two
     * counts, and hundreds of audiences make that a per-delta cost worth keeping to two lookups.
     */
    private final Map<Integer, Map<Integer, long[]>> byKeyGroup = new HashMap<>();
    /** Read by the metrics reporter's thread. */
    private final Map<Integer, AtomicLong> totals = new ConcurrentHashMap<>();
    /** Read by the metrics reporter's thread too. */
    private final Map<Integer, AudienceCounters> audiences = new ConcurrentHashMap<>();

    MembershipMetrics(MetricGroup group, int maxParallelism, KeyGroupRange keyGroups, LongSupplier clock) {
        this.group = group;
        this.maxParallelism = maxParallelism;
        this.keyGroups = keyGroups;
        this.clock = clock;
        group.gauge("profiles", this::profiles);
        group.gauge("timersPending", this::timersPending);
    }

    /** The counts of the key groups this subtask owns, from every subtask's last snapshot. */
    void restore(ListState<Tuple3<Integer, Integer, Long>> state) throws Exception {
        for (Tuple3<Integer, Integer, Long> entry : state.get()) {
            if (keyGroups.contains(entry.f0)) {
                add(entry.f0, entry.f1, entry.f2);
            }
        }
    }

    void snapshot(ListState<Tuple3<Integer, Integer, Long>> state) throws Exception {
        List<Tuple3<Integer, Integer, Long>> entries = new ArrayList<>();
        byKeyGroup.forEach((keyGroup, counts) -> counts.forEach((id, n) -> {
            if (n[0] != 0) {
                entries.add(Tuple3.of(keyGroup, id, n[0]));
            }
        }));
        state.update(entries);
    }

    /** Every audience of the set in force has its metrics from the start, members or not. */
    void register(Iterable<Integer> audienceIds) {
        for (int id : audienceIds) {
            counters(id);
        }
    }

    void onDelta(MembershipDelta delta) {
        boolean add = MembershipDelta.ADD.equals(delta.action);
        add(keyGroup(delta.mpid), delta.audienceId, add ? 1 : -1);
        counters(delta.audienceId).count(add, delta.reason, clock.getAsLong());
    }

    /** A user's profile and timer before and after one record or timer. */
    void onUser(long mpid, boolean hadProfile, boolean hasProfile, boolean hadTimer, boolean hasTimer) {
        if (hadProfile != hasProfile) {
            add(keyGroup(mpid), PROFILES, hasProfile ? 1 : -1);
        }
        if (hadTimer != hasTimer) {
            add(keyGroup(mpid), TIMERS, hasTimer ? 1 : -1);
        }
    }

    long size(int audienceId) {
        return total(audienceId);
    }

    long adds24h(int audienceId) {
        AudienceCounters c = audiences.get(audienceId);
        return c == null ? 0 : c.last24h(c.addsByHour, clock.getAsLong());
    }

    long removes24h(int audienceId) {
        AudienceCounters c = audiences.get(audienceId);
        return c == null ? 0 : c.last24h(c.removesByHour, clock.getAsLong());
    }

    /** (adds + removes over 24 h) / size; 0 for an empty audience. */
    double volatility(int audienceId) {
        long size = size(audienceId);
        return size == 0 ? 0.0 : (double) (adds24h(audienceId) + removes24h(audienceId)) / size;
    }

    long profiles() {
        return total(PROFILES);
    }

    long timersPending() {
        return total(TIMERS);
    }

    private long total(int id) {
        AtomicLong n = totals.get(id);
        return n == null ? 0 : n.get();
    }

    private int keyGroup(long mpid) {
        return KeyGroupRangeAssignment.assignToKeyGroup(mpid, maxParallelism);
    }

    private void add(int keyGroup, int id, long n) {
        Map<Integer, long[]> counts = byKeyGroup.get(keyGroup);
        if (counts == null) {
            counts = new HashMap<>();
            byKeyGroup.put(keyGroup, counts);
        }
        long[] cell = counts.get(id);
        if (cell == null) {
            cell = new long[1];
            counts.put(id, cell);
        }
        cell[0] += n;
        AtomicLong total = totals.get(id);
        if (total == null) {
            total = totals.computeIfAbsent(id, k -> new AtomicLong());
        }
        total.addAndGet(n);
    }

    private AudienceCounters counters(int id) {
        return audiences.computeIfAbsent(id, this::newCounters);
    }

    private AudienceCounters newCounters(int id) {
        MetricGroup audience = group.addGroup("audience", Integer.toString(id));
        AudienceCounters c = new AudienceCounters();
        for (String reason : REASONS) {
            MetricGroup byReason = audience.addGroup("reason", reason);
            c.adds.put(reason, byReason.counter("adds"));
            c.removes.put(reason, byReason.counter("removes"));
        }
        audience.gauge("size", () -> size(id));
        audience.gauge("adds24h", () -> adds24h(id));
        audience.gauge("removes24h", () -> removes24h(id));
        audience.gauge("volatility", () -> volatility(id));
        return c;
    }

    /** One audience's counters, and its changes in the 24 hours up to now, by the hour. */
    private static final class AudienceCounters {
        final Map<String, Counter> adds = new HashMap<>();
        final Map<String, Counter> removes = new HashMap<>();
        final long[] addsByHour = new long[24];
        final long[] removesByHour = new long[24];
        final long[] hourOf = new long[24];

        void count(boolean add, String reason, long now) {
            Counter counter = (add ? adds : removes).get(reason);
            if (counter != null) {
                counter.inc();
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
