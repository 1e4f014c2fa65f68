package org.audienceengine.profile;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;

import org.audienceengine.deltas.MembershipDelta;
import org.audienceengine.deltas.Reason;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

class MembershipMetricsTest {
    private static final int MAX_PARALLELISM = 128;
    private static final long HOUR = 3_600_000L;

    private final AtomicLong clock = new AtomicLong(1_767_225_600_000L);

    @Test
    void sizesSurviveARescaleFromTwoSubtasksToThreeAndToOne() throws Exception {
        List<MembershipMetrics> two = subtasks(2, null);
        Random random = new Random(7);
        long expected7 = 0;
        long expected9 = 0;
        for (int i = 0; i < 2_000; i++) {
            long mpid = random.nextLong();
            MembershipMetrics owner = two.get(subtaskOf(mpid, 2));
            owner.onDelta(delta(7, mpid, MembershipDelta.ADD, Reason.CRITERIA));
            expected7++;
            if (i % 3 == 0) {
                owner.onDelta(delta(9, mpid, MembershipDelta.ADD, Reason.CRITERIA));
                expected9++;
            }
            if (i % 5 == 0) {
                owner.onDelta(delta(7, mpid, MembershipDelta.REMOVE, Reason.EXPIRY));
                expected7--;
            }
        }
        assertThat(two.get(0).size(7)).isPositive();
        assertThat(two.get(1).size(7)).isPositive();
        assertThat(two.get(0).size(7) + two.get(1).size(7)).isEqualTo(expected7);

        // Union state: every subtask's snapshot goes to every new subtask, which keeps its key groups.
        SimpleListState union = new SimpleListState();
        for (MembershipMetrics m : two) {
            SimpleListState own = new SimpleListState();
            m.snapshot(own);
            union.entries.addAll(own.entries);
        }
        for (int parallelism : new int[] {3, 1}) {
            List<MembershipMetrics> rescaled = subtasks(parallelism, union);
            assertThat(rescaled.stream().mapToLong(m -> m.size(7)).sum()).as("p=%d", parallelism).isEqualTo(expected7);
            assertThat(rescaled.stream().mapToLong(m -> m.size(9)).sum()).isEqualTo(expected9);
            assertThat(rescaled.stream().filter(m -> m.size(7) > 0).count()).isEqualTo(parallelism);
        }
    }

    @Test
    void volatilityIsTheLast24HoursOfChangesOverTheSize() {
        MembershipMetrics m = subtasks(1, null).get(0);
        m.register(List.of(3, 4));
        assertThat(m.volatility(4)).as("an empty audience").isZero();
        for (long mpid = 1; mpid <= 4; mpid++) {
            m.onDelta(delta(3, mpid, MembershipDelta.ADD, Reason.CRITERIA));
        }
        clock.addAndGet(10 * HOUR);
        m.onDelta(delta(3, 1, MembershipDelta.REMOVE, Reason.EXPIRY));
        assertThat(m.adds24h(3)).isEqualTo(4);
        assertThat(m.removes24h(3)).isEqualTo(1);
        assertThat(m.volatility(3)).isEqualTo(5.0 / 3);

        clock.addAndGet(15 * HOUR);
        assertThat(m.adds24h(3)).as("the adds are 25 h old").isZero();
        assertThat(m.removes24h(3)).isEqualTo(1);
        assertThat(m.volatility(3)).isEqualTo(1.0 / 3);
        assertThat(m.size(3)).isEqualTo(3);
    }

    @Test
    void profilesAndTimersFollowEachUsersBeforeAndAfter() {
        MembershipMetrics m = subtasks(1, null).get(0);
        m.onUser(1, false, true, false, true);
        m.onUser(2, false, true, false, false);
        m.onUser(1, true, true, true, true);
        assertThat(m.profiles()).isEqualTo(2);
        assertThat(m.timersPending()).isEqualTo(1);
        m.onUser(1, true, false, true, false);
        assertThat(m.profiles()).isEqualTo(1);
        assertThat(m.timersPending()).isZero();
    }

    private List<MembershipMetrics> subtasks(int parallelism, SimpleListState restoreFrom) {
        List<MembershipMetrics> subtasks = new ArrayList<>();
        for (int i = 0; i < parallelism; i++) {
            MembershipMetrics m = new MembershipMetrics(new UnregisteredMetricsGroup(), MAX_PARALLELISM,
                    KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex(MAX_PARALLELISM, parallelism, i),
                    clock::get);
            if (restoreFrom != null) {
                try {
                    m.restore(restoreFrom);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }
            subtasks.add(m);
        }
        return subtasks;
    }

    private static int subtaskOf(long mpid, int parallelism) {
        return KeyGroupRangeAssignment.assignKeyToParallelOperator(mpid, MAX_PARALLELISM, parallelism);
    }

    private static MembershipDelta delta(int audience, long mpid, String action, String reason) {
        MembershipDelta d = new MembershipDelta();
        d.audienceId = audience;
        d.mpid = mpid;
        d.action = action;
        d.reason = reason;
        return d;
    }

    private static final class SimpleListState implements ListState<Tuple3<Integer, Integer, Long>> {
        final List<Tuple3<Integer, Integer, Long>> entries = new ArrayList<>();

        @Override
        public void update(List<Tuple3<Integer, Integer, Long>> values) {
            entries.clear();
            entries.addAll(values);
        }

        @Override
        public void addAll(List<Tuple3<Integer, Integer, Long>> values) {
            entries.addAll(values);
        }

        @Override
        public Iterable<Tuple3<Integer, Integer, Long>> get() {
            return entries;
        }

        @Override
        public void add(Tuple3<Integer, Integer, Long> value) {
            entries.add(value);
        }

        @Override
        public void clear() {
            entries.clear();
        }
    }
}
