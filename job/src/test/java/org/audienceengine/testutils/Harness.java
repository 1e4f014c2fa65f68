package org.audienceengine.testutils;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

import org.audienceengine.config.EngineSettings;
import org.audienceengine.config.TimeMode;
import org.audienceengine.deltas.MembershipDelta;
import org.audienceengine.ingest.IngestedBatch;
import org.audienceengine.profile.ProfileCodec;
import org.audienceengine.profile.UserAudiencesOperator;
import org.audienceengine.profile.UserProfile;
import org.audienceengine.testutils.Batches.BatchBuilder;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The keyed audience operator in a test harness, configured as production runs it: RocksDB
 * state and no Kryo fallback, so a state or record type that Flink would hand to Kryo fails here
 * as it would at job submission. Deltas leave through their real serializer.
 */
public final class Harness implements AutoCloseable {
    /** The state backend to run on; HEAP only to cross-check counts RocksDB cannot give. */
    public enum Backend { ROCKSDB, HEAP }

    private final KeyedTwoInputStreamOperatorTestHarness<Long, IngestedBatch, String, MembershipDelta> harness;
    private final TimeMode mode;
    private int taken;
    private long nextOrder;

    private Harness(EngineSettings settings, Backend backend) throws Exception {
        this.mode = settings.timeMode();
        this.harness = operator(settings, backend);
    }

    /**
     * The operator in a bare harness, set up as production runs it: keyed by mpid on the batches
     * input, the definitions input unkeyed (broadcast). Call {@code open} or {@code initializeState}.
     */
    public static KeyedTwoInputStreamOperatorTestHarness<Long, IngestedBatch, String, MembershipDelta> operator(
            EngineSettings settings, Backend backend) throws Exception {
        var harness = new KeyedTwoInputStreamOperatorTestHarness<Long, IngestedBatch, String, MembershipDelta>(
                new UserAudiencesOperator(settings), IngestedBatch::getMpid, null, Types.LONG,
                EngineSettings.DEFAULT_MAX_PARALLELISM, 1, 0);
        configure(harness, backend);
        harness.setup(TypeInformation.of(MembershipDelta.class)
                .createSerializer(harness.getExecutionConfig().getSerializerConfig()));
        return harness;
    }

    /**
     * Runs the operator's queued mailbox actions (the backfill walk's chunks) until none is left,
     * as the task does between records.
     */
    public static void runMailbox(AbstractStreamOperatorTestHarness<?> harness) throws Exception {
        var mailbox = harness.getTaskMailbox();
        for (var mail = mailbox.tryTake(0); mail.isPresent(); mail = mailbox.tryTake(0)) {
            mail.get().run();
        }
    }

    /** Runs one queued mailbox action, if any; returns whether there was one. */
    public boolean runOneMail() throws Exception {
        var mail = harness.getTaskMailbox().tryTake(0);
        if (mail.isPresent()) {
            mail.get().run();
        }
        return mail.isPresent();
    }

    /** Applies the production configuration to any harness; call before setup. */
    public static void configure(AbstractStreamOperatorTestHarness<?> harness, Backend backend) {
        ((SerializerConfigImpl) harness.getExecutionConfig().getSerializerConfig()).setGenericTypes(false);
        StateBackend stateBackend = backend == Backend.ROCKSDB ? new EmbeddedRocksDBStateBackend() : new HashMapStateBackend();
        harness.setStateBackend(stateBackend);
    }

    /** Event-time settings with the default profile lifetime. */
    public static EngineSettings.Builder settings(String definitions) {
        return EngineSettings.builder(definitions).timeMode(TimeMode.EVENT);
    }

    /** An opened event-time harness on RocksDB. */
    public static Harness eventTime(String definitions) throws Exception {
        return open(settings(definitions).build());
    }

    public static Harness open(EngineSettings settings) throws Exception {
        return open(settings, Backend.ROCKSDB);
    }

    public static Harness open(EngineSettings settings, Backend backend) throws Exception {
        Harness h = new Harness(settings, backend);
        h.harness.open();
        h.definitionsAreTimeless();
        return h;
    }

    /** A new operator instance restored from a snapshot of another one. */
    public static Harness restore(EngineSettings settings, OperatorSubtaskState snapshot) throws Exception {
        Harness h = new Harness(settings, Backend.ROCKSDB);
        h.harness.initializeState(snapshot);
        h.harness.open();
        h.definitionsAreTimeless();
        return h;
    }

    /** As in the job: the definitions side never holds back event time. */
    private void definitionsAreTimeless() throws Exception {
        harness.processWatermark2(new Watermark(Long.MAX_VALUE));
    }

    /**
     * Sends a new definitions document on the broadcast side and lets its backfill run to the
     * end; returns the deltas it caused.
     */
    public List<MembershipDelta> definitions(String json) throws Exception {
        harness.processElement2(json, 0L);
        runMailbox(harness);
        return newDeltas();
    }

    /** Sends a definitions document and leaves its backfill queued (see {@link #runOneMail}). */
    public void definitionsQueued(String json) throws Exception {
        harness.processElement2(json, 0L);
    }

    /** Lets queued mailbox actions run (a backfill started at open, say); returns their deltas. */
    public List<MembershipDelta> settle() throws Exception {
        runMailbox(harness);
        return newDeltas();
    }

    /** Side output records of the operator (for example erasure completions). */
    public <T> List<T> sideOutput(org.apache.flink.util.OutputTag<T> tag) {
        java.util.Queue<org.apache.flink.streaming.runtime.streamrecord.StreamRecord<T>> records = harness.getSideOutput(tag);
        List<T> values = new java.util.ArrayList<>();
        if (records != null) {
            records.forEach(r -> values.add(r.getValue()));
        }
        return values;
    }

    /**
     * Sends one batch, numbered in input order. In event time it only waits for the watermark;
     * in processing time it applies at once (received now) and its deltas are returned.
     */
    public List<MembershipDelta> push(BatchBuilder batch) throws Exception {
        Long receivedAt = mode == TimeMode.PROCESSING ? harness.getProcessingTime() : null;
        return push(batch.ingested(nextOrder++, receivedAt));
    }

    public List<MembershipDelta> push(IngestedBatch batch) throws Exception {
        harness.processElement1(batch, batch.batchTime);
        return newDeltas();
    }

    /** Advances event time; returns the deltas this emitted. */
    public List<MembershipDelta> watermark(long time) throws Exception {
        harness.processWatermark1(new Watermark(time));
        return newDeltas();
    }

    /** Advances processing time (firing due timers); returns the deltas this emitted. */
    public List<MembershipDelta> processingTime(long time) throws Exception {
        harness.setProcessingTime(time);
        return newDeltas();
    }

    /**
     * Moves the processing-time clock without running due timers: what a task sees when a record
     * is processed after a timer became due but before the timer's mailbox action ran. A later
     * {@link #processingTime} call runs them. The test clock offers no public way to do this.
     */
    public void advanceClockWithoutFiringTimers(long time) throws Exception {
        Object clock = harness.getProcessingTimeService().getClock();
        Method set = clock.getClass().getMethod("setCurrentTime", long.class, TimeUnit.class);
        set.setAccessible(true);
        set.invoke(clock, time, TimeUnit.MILLISECONDS);
    }

    /** Deltas emitted since the last call that returned deltas. */
    public List<MembershipDelta> newDeltas() {
        List<MembershipDelta> all = harness.extractOutputValues();
        List<MembershipDelta> fresh = List.copyOf(all.subList(taken, all.size()));
        taken = all.size();
        return fresh;
    }

    /** Every delta emitted by this operator instance. */
    public List<MembershipDelta> allDeltas() {
        return harness.extractOutputValues();
    }

    public int eventTimers() {
        return harness.numEventTimeTimers();
    }

    public int processingTimers() {
        return harness.numProcessingTimeTimers();
    }

    /**
     * The users that have any keyed state (a profile or buffered batches). The harness's own
     * entry count only works on the heap backend, so this asks the backend for its keys.
     */
    public Set<Long> usersWithState() throws Exception {
        KeyedStateBackend<Long> backend = harness.getOperator().getKeyedStateBackend();
        Set<Long> users = new TreeSet<>();
        for (String state : List.of(
                UserAudiencesOperator.profileDescriptor().getName(), UserAudiencesOperator.pendingDescriptor().getName())) {
            try (Stream<Long> keys = backend.getKeys(state, VoidNamespace.INSTANCE)) {
                keys.forEach(users::add);
            }
        }
        return users;
    }

    /** The user's profile as it is in keyed state, or null. */
    public UserProfile profile(long mpid) throws Exception {
        KeyedStateBackend<Long> backend = harness.getOperator().getKeyedStateBackend();
        backend.setCurrentKey(mpid);
        byte[] value = backend.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                UserAudiencesOperator.profileDescriptor()).value();
        return value == null ? null : ProfileCodec.decode(value);
    }

    /** Heap backend only: the number of keyed state entries, all states together. */
    public int keyedStateEntries() {
        return ((HeapKeyedStateBackend<?>) harness.getOperator().getKeyedStateBackend()).numKeyValueStateEntries();
    }

    public OperatorSubtaskState snapshot(long checkpointId, long timestamp) throws Exception {
        return harness.snapshot(checkpointId, timestamp);
    }

    @Override
    public void close() throws Exception {
        harness.close();
    }
}
