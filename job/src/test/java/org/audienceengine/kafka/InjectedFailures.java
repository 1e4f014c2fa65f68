package org.audienceengine.kafka;

import static org.assertj.core.api.Assertions.fail;

import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;

import org.audienceengine.deltas.MembershipDelta;
import org.audienceengine.ingest.RawRecord;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Pass-through operators that fail the job once each time the test arms them, and the state the
 * test watches to decide when to arm them. The operators run in the test's JVM (a mini cluster),
 * so static state is shared between them, their restarted attempts and the test.
 */
final class InjectedFailures {
    private static final Object PROGRESS = new Object();

    private InjectedFailures() {}

    static void reset() {
        Records.ARMED.set(false);
        Records.FAILED_AT.clear();
        Records.SEEN.set(0);
        Records.LAST_CHECKPOINTED_ATTEMPT.set(-1);
        Deltas.FAIL_AT.set(Integer.MAX_VALUE);
        Deltas.FAILURES.set(0);
        Deltas.SEEN.set(0);
    }

    private static void changed() {
        synchronized (PROGRESS) {
            PROGRESS.notifyAll();
        }
    }

    /**
     * Waits for the operators to report a state, giving up at the deadline or as soon as
     * {@code stop} holds (the job ended, say). Waking up at least each second lets {@code stop}
     * be checked even when no operator reports anything.
     */
    static void await(String what, BooleanSupplier condition, BooleanSupplier stop, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (PROGRESS) {
            while (!condition.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || stop.getAsBoolean()) {
                    fail("gave up waiting for " + what);
                }
                PROGRESS.wait(Math.max(1, Math.min(1_000, TimeUnit.NANOSECONDS.toMillis(left))));
            }
        }
    }

    /**
     * In front of ingest: once armed, throws on the next record that reaches a subtask which has
     * seen a checkpoint complete in its current attempt, so that the job restores from that
     * checkpoint, not from the start.
     */
    static final class Records extends RichMapFunction<RawRecord, RawRecord> implements CheckpointListener {
        private static final long serialVersionUID = 1L;
        static final AtomicBoolean ARMED = new AtomicBoolean();
        /** Where each injected failure happened: "partition:offset@attempt". */
        static final List<String> FAILED_AT = new CopyOnWriteArrayList<>();
        static final AtomicLong SEEN = new AtomicLong();
        static final AtomicInteger LAST_CHECKPOINTED_ATTEMPT = new AtomicInteger(-1);

        private transient boolean checkpointCompleted;

        @Override
        public RawRecord map(RawRecord record) {
            SEEN.incrementAndGet();
            if (checkpointCompleted && ARMED.compareAndSet(true, false)) {
                FAILED_AT.add(record.partition + ":" + record.offset + "@" + attempt());
                changed();
                throw new IllegalStateException("injected failure before ingest at offset " + record.offset);
            }
            return record;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            checkpointCompleted = true;
            LAST_CHECKPOINTED_ATTEMPT.accumulateAndGet(attempt(), Math::max);
            changed();
        }

        private int attempt() {
            return getRuntimeContext().getTaskInfo().getAttemptNumber();
        }
    }

    /** In front of the deltas sink: fails once when one subtask has passed {@code FAIL_AT} deltas. */
    static final class Deltas extends RichMapFunction<MembershipDelta, MembershipDelta> {
        private static final long serialVersionUID = 1L;
        static final AtomicInteger FAIL_AT = new AtomicInteger(Integer.MAX_VALUE);
        static final AtomicInteger FAILURES = new AtomicInteger();
        static final AtomicLong SEEN = new AtomicLong();

        private transient int passed;

        @Override
        public MembershipDelta map(MembershipDelta delta) {
            SEEN.incrementAndGet();
            if (++passed >= FAIL_AT.get() && FAILURES.compareAndSet(0, 1)) {
                changed();
                throw new IllegalStateException("injected failure while writing deltas, after " + passed);
            }
            return delta;
        }
    }
}
