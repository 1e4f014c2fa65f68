package org.audienceengine.profile;

import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.util.function.ThrowingConsumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.stream.Stream;

/**
 * Brings every user in this instance's state to a new definitions epoch without holding the task:
 * the users are visited a chunk per mailbox action, so batches, timers and checkpoint barriers
 * are processed between chunks. A user a batch or timer reaches first is brought up to date there
 * (the visit then finds nothing to do), so the order of the walk never shows in the deltas.
 *
 * <p>The keys are listed once when the walk starts (8 bytes per user, in memory only); users
 * created later are born in the new epoch. A walk cut short by a failure starts over after the
 * restore, skipping users already brought over.
 */
final class BackfillWalk {
    private static final Logger LOG = LoggerFactory.getLogger(BackfillWalk.class);
    /** Users per mailbox action: a few tens of milliseconds of work. */
    static final int CHUNK = 1_000;

    private final KeyedStateBackend<Long> backend;
    private final String stateName;
    private final MailboxExecutor mailbox;
    private final ThrowingConsumer<Long, Exception> setKey;
    private final ThrowingConsumer<Long, Exception> visit;
    private long[] keys = new long[0];
    private int next;
    private boolean running;
    private long startedAt;
    private int generation;

    /**
     * @param setKey makes a key current (the operator's, so that state and timers follow it)
     * @param visit brings the current user to the epoch in force
     */
    BackfillWalk(KeyedStateBackend<Long> backend, String stateName, MailboxExecutor mailbox,
            ThrowingConsumer<Long, Exception> setKey, ThrowingConsumer<Long, Exception> visit) {
        this.backend = backend;
        this.stateName = stateName;
        this.mailbox = mailbox;
        this.setKey = setKey;
        this.visit = visit;
    }

    /** Starts a walk over every user in state now (a running one must be finished first). */
    void start() {
        try (Stream<Long> all = backend.getKeys(stateName, VoidNamespace.INSTANCE)) {
            keys = all.mapToLong(Long::longValue).toArray();
        }
        // Key order is the backend's; sorted, a walk visits users in the same order everywhere.
        Arrays.sort(keys);
        next = 0;
        running = true;
        startedAt = System.nanoTime();
        generation++;
        schedule(generation);
    }

    boolean running() {
        return running;
    }

    /** Users still to visit. */
    long remaining() {
        return running ? keys.length - next : 0;
    }

    /** Visits every remaining user now: a new change must not start while this one is under way. */
    void finishNow() throws Exception {
        while (running) {
            step(Integer.MAX_VALUE);
        }
    }

    private void schedule(int forGeneration) {
        mailbox.execute(() -> {
            // A walk finished synchronously (or replaced) leaves its queued action behind.
            if (running && forGeneration == generation) {
                step(CHUNK);
                if (running) {
                    schedule(forGeneration);
                }
            }
        }, "audience definitions backfill");
    }

    private void step(int users) throws Exception {
        int end = (int) Math.min(keys.length, (long) next + users);
        for (; next < end; next++) {
            setKey.accept(keys[next]);
            visit.accept(keys[next]);
        }
        if (next >= keys.length) {
            running = false;
            LOG.info("Audience definitions backfill done: {} user(s) in {} ms", keys.length,
                    (System.nanoTime() - startedAt) / 1_000_000);
            keys = new long[0];
        }
    }
}
