package org.audienceengine.erasure;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import org.audienceengine.ingest.IngestedBatch;

import java.time.Duration;
import java.util.List;

/**
 * The identity → mpid index of deltas.md, keyed by identity key: remembers the latest mpid to
 * carry each identity and turns an erasure request by identity into one by mpid. Entries expire
 * a profile lifetime after they were last written (the profile they point at is gone by then),
 * so the index grows with users, not with time.
 *
 * <p>Every identity of every batch comes here, so an entry is one value, {mpid, time}: one read
 * and at most one write per link. Savepoints of earlier releases kept the two in separate states
 * ("mpid" and "time"); after a restore from one, an identity with no entry is looked up there
 * once and moved over, until those entries have expired (a profile lifetime after the restore).
 */
public final class IdentityIndexFunction extends KeyedCoProcessFunction<String, IdentityLink, ErasureRequest, IngestedBatch>
        implements CheckpointedFunction {
    /** Completion records of requests whose identity no batch carried. */
    public static final OutputTag<String> NOT_FOUND = new OutputTag<>("erasure-not-found") {};

    private static final int MPID = 0;
    private static final int TIME = 1;
    /** No entry of the earlier layout can be left: a fresh start, or their lifetime has passed. */
    private static final long NO_LEGACY = Long.MIN_VALUE;

    private final long lifetimeMs;
    private transient ValueState<long[]> entry;
    private transient ValueState<Long> legacyMpid;
    private transient ValueState<Long> legacyTime;
    private transient ListState<Long> legacyUntilState;
    /** Processing time until which an identity without an entry may still have one in the earlier layout. */
    private transient long legacyUntil;

    public IdentityIndexFunction(long lifetimeMs) {
        this.lifetimeMs = lifetimeMs;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        // Union state: after a rescale every subtask learns the latest bound any subtask kept.
        legacyUntilState = context.getOperatorStateStore()
                .getUnionListState(new ListStateDescriptor<>("legacy-entries-until", Types.LONG));
        legacyUntil = NO_LEGACY;
        if (context.isRestored()) {
            boolean marked = false;
            for (Long until : legacyUntilState.get()) {
                marked = true;
                legacyUntil = Math.max(legacyUntil, until);
            }
            if (!marked) {
                // A savepoint of the earlier layout: its entries expire at most a lifetime from now.
                legacyUntil = System.currentTimeMillis() + lifetimeMs;
            }
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        legacyUntilState.update(List.of(legacyUntil));
    }

    @Override
    public void open(OpenContext context) {
        entry = getRuntimeContext().getState(entryDescriptor(lifetimeMs));
        legacyMpid = getRuntimeContext().getState(legacyMpidDescriptor(lifetimeMs));
        legacyTime = getRuntimeContext().getState(legacyTimeDescriptor(lifetimeMs));
    }

    /** The index entry: {mpid, time} of the latest batch to carry the identity (state tools read it too). */
    public static ValueStateDescriptor<long[]> entryDescriptor(long lifetimeMs) {
        return withTtl(new ValueStateDescriptor<>("entry", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO), lifetimeMs);
    }

    /** The mpid of an entry in the earlier layout, which savepoints of earlier releases hold. */
    public static ValueStateDescriptor<Long> legacyMpidDescriptor(long lifetimeMs) {
        return withTtl(new ValueStateDescriptor<>("mpid", Types.LONG), lifetimeMs);
    }

    /** The time of an entry in the earlier layout. */
    public static ValueStateDescriptor<Long> legacyTimeDescriptor(long lifetimeMs) {
        return withTtl(new ValueStateDescriptor<>("time", Types.LONG), lifetimeMs);
    }

    /** The mpid an entry read by {@link #entryDescriptor} points at. */
    public static long mpidOf(long[] entry) {
        return entry[MPID];
    }

    private static <T> ValueStateDescriptor<T> withTtl(ValueStateDescriptor<T> descriptor, long lifetimeMs) {
        descriptor.enableTimeToLive(StateTtlConfig.newBuilder(Duration.ofMillis(lifetimeMs))
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build());
        return descriptor;
    }

    @Override
    public void processElement1(IdentityLink link, Context ctx, Collector<IngestedBatch> out) throws Exception {
        long[] latest = read(ctx);
        if (latest == null || link.time >= latest[TIME]) {
            entry.update(new long[] {link.mpid, link.time});
        }
    }

    @Override
    public void processElement2(ErasureRequest request, Context ctx, Collector<IngestedBatch> out) throws Exception {
        long[] found = read(ctx);
        if (found == null) {
            ctx.output(NOT_FOUND, ErasureCompletion.json(request.requestId, null, ErasureCompletion.NOT_FOUND,
                    ctx.timerService().currentProcessingTime(), 0));
            return;
        }
        // The entry pointed at the user being erased: it must not outlive them.
        entry.clear();
        out.collect(IngestedBatch.erasure(found[MPID], request.requestId, request.receivedAt, Long.MAX_VALUE));
    }

    /** The identity's entry; one of the earlier layout is moved over (written again, so its lifetime starts anew). */
    private long[] read(Context ctx) throws Exception {
        long[] found = entry.value();
        if (found != null || legacyUntil == NO_LEGACY) {
            return found;
        }
        if (ctx.timerService().currentProcessingTime() > legacyUntil) {
            legacyUntil = NO_LEGACY;
            return null;
        }
        Long mpid = legacyMpid.value();
        if (mpid == null) {
            return null;
        }
        Long time = legacyTime.value();
        found = new long[] {mpid, time == null ? Long.MIN_VALUE : time};
        entry.update(found);
        legacyMpid.clear();
        legacyTime.clear();
        return found;
    }
}
