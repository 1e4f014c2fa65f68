package org.audienceengine.bench;

import static org.audienceengine.testutils.Batches.T0;
import static org.audienceengine.testutils.Batches.audience;
import static org.audienceengine.testutils.Batches.batch;
import static org.audienceengine.testutils.Batches.custom;
import static org.audienceengine.testutils.Batches.definitions;

import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

import org.audienceengine.config.EngineSettings;
import org.audienceengine.config.TimeMode;
import org.audienceengine.deltas.MembershipDelta;
import org.audienceengine.ingest.IngestedBatch;
import org.audienceengine.profile.UserAudiencesOperator;

import java.util.stream.Stream;

/**
 * How fast a definitions change reaches every user in state, and how long the task is held at a
 * time: the keyed operator on RocksDB with N users, a new audience published, the backfill walk
 * run a mailbox action at a time. Each round is measured beside a bare walk over the same state
 * (read and rewrite every profile value, nothing else), so the ratio holds on a noisy machine.
 *
 * <p>RocksDB runs with its own memory settings, as on a TaskManager with ample managed memory
 * (the test harness's managed memory is a few megabytes, which throttles writes).
 *
 * <p>{@code bench/RESULTS.md} has the command and the figures.
 */
public final class BackfillBench {
    private static final String VISITED = "{'event': {'name': 'visit', 'within': '7d'}}";
    private static final String[] PLAN = {
        "{'user_attribute': {'name': 'plan', 'op': 'equals', 'value': 'pro'}}",
        "{'user_attribute': {'name': 'plan', 'op': 'equals', 'value': 'free'}}"};
    private static final String VISITED_25H = "{'event': {'name': 'visit', 'within': '25h'}}";

    private BackfillBench() {}

    public static void main(String[] args) throws Exception {
        int users = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        EngineSettings settings = EngineSettings.builder(definitions(audience(2, VISITED)))
                .timeMode(TimeMode.PROCESSING).build();
        var h = new KeyedTwoInputStreamOperatorTestHarness<Long, IngestedBatch, String, MembershipDelta>(
                new UserAudiencesOperator(settings), IngestedBatch::getMpid, null, Types.LONG,
                EngineSettings.DEFAULT_MAX_PARALLELISM, 1, 0);
        EmbeddedRocksDBStateBackend rocks = new EmbeddedRocksDBStateBackend();
        rocks.getMemoryConfiguration().setUseManagedMemory(false);
        h.setStateBackend(rocks);
        h.setup(TypeInformation.of(MembershipDelta.class).createSerializer(h.getExecutionConfig().getSerializerConfig()));
        h.open();
        h.processWatermark2(new Watermark(Long.MAX_VALUE));
        h.setProcessingTime(T0);
        long loading = System.nanoTime();
        for (long mpid = 1; mpid <= users; mpid++) {
            h.processElement1(batch(mpid, T0).attribute("plan", mpid % 2 == 0 ? "pro" : "free")
                    .events(custom("visit", T0)).ingested(mpid, T0), T0);
            if (mpid % 10_000 == 0) {
                h.getOutput().clear();
            }
        }
        h.getOutput().clear();
        System.out.printf("users in state: %,d (loaded in %.1f s)%n", users, (System.nanoTime() - loading) / 1e9);
        System.out.println("round  listing ms  engine users/min  longest action ms  bare users/min  engine/bare");
        for (int round = 1; round <= rounds; round++) {
            h.setProcessingTime(T0 + round);
            // The document arrives: the walk lists the users in state, on the task thread.
            long listing = System.nanoTime();
            h.processElement2(definitions(audience(2, VISITED), audience(3, PLAN[round % 2]), audience(4, VISITED_25H)), 0L);
            listing = System.nanoTime() - listing;
            long start = System.nanoTime();
            long longest = 0;
            var mailbox = h.getTaskMailbox();
            for (var mail = mailbox.tryTake(0); mail.isPresent(); mail = mailbox.tryTake(0)) {
                long action = System.nanoTime();
                mail.get().run();
                longest = Math.max(longest, System.nanoTime() - action);
                h.getOutput().clear();
            }
            double engine = users / ((System.nanoTime() - start) / 60e9);
            double bare = users / (bareWalk(h.getOperator().getKeyedStateBackend()) / 60e9);
            System.out.printf("%5d  %10.0f  %16.0f  %17.1f  %14.0f  %11.2f%n", round, listing / 1e6, engine, longest / 1e6,
                    bare, engine / bare);
        }
        h.close();
    }

    /** Reads and rewrites every profile value as it is; returns the nanoseconds it took. */
    private static long bareWalk(KeyedStateBackend<Long> backend) throws Exception {
        ValueState<byte[]> state = backend.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                UserAudiencesOperator.profileDescriptor());
        long start = System.nanoTime();
        long[] keys;
        try (Stream<Long> all = backend.getKeys(UserAudiencesOperator.profileDescriptor().getName(), VoidNamespace.INSTANCE)) {
            keys = all.mapToLong(Long::longValue).sorted().toArray();
        }
        for (long key : keys) {
            backend.setCurrentKey(key);
            state.update(state.value());
        }
        return System.nanoTime() - start;
    }
}
