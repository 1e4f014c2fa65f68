package org.audienceengine.erasure;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import org.audienceengine.ingest.IngestedBatch;

import java.time.Duration;

/**
 * The identity → mpid index of deltas.md, keyed by identity key: remembers the latest mpid to
 * carry each identity and turns an erasure request by identity into one by mpid. Entries expire
 * a profile lifetime after they were last written (the profile they point at is gone by then),
 * so the index grows with users, not with time.
 */
public final class IdentityIndexFunction extends KeyedCoProcessFunction<String, IdentityLink, ErasureRequest, IngestedBatch> {
    /** Completion records of requests whose identity no batch carried. */
    public static final OutputTag<String> NOT_FOUND = new OutputTag<>("erasure-not-found") {};

    private final long lifetimeMs;
    private transient ValueState<Long> mpid;
    private transient ValueState<Long> time;

    public IdentityIndexFunction(long lifetimeMs) {
        this.lifetimeMs = lifetimeMs;
    }

    @Override
    public void open(OpenContext context) {
        mpid = getRuntimeContext().getState(mpidDescriptor(lifetimeMs));
        time = getRuntimeContext().getState(withTtl(new ValueStateDescriptor<>("time", Types.LONG), lifetimeMs));
    }

    /** The index entry: the latest mpid to carry the identity (state tools read it too). */
    public static ValueStateDescriptor<Long> mpidDescriptor(long lifetimeMs) {
        return withTtl(new ValueStateDescriptor<>("mpid", Types.LONG), lifetimeMs);
    }

    private static ValueStateDescriptor<Long> withTtl(ValueStateDescriptor<Long> descriptor, long lifetimeMs) {
        descriptor.enableTimeToLive(StateTtlConfig.newBuilder(Duration.ofMillis(lifetimeMs))
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build());
        return descriptor;
    }

    @Override
    public void processElement1(IdentityLink link, Context ctx, Collector<IngestedBatch> out) throws Exception {
        Long latest = time.value();
        if (latest == null || link.time >= latest) {
            mpid.update(link.mpid);
            time.update(link.time);
        }
    }

    @Override
    public void processElement2(ErasureRequest request, Context ctx, Collector<IngestedBatch> out) throws Exception {
        Long found = mpid.value();
        if (found == null) {
            ctx.output(NOT_FOUND, ErasureCompletion.json(request.requestId, null, ErasureCompletion.NOT_FOUND,
                    ctx.timerService().currentProcessingTime(), 0));
            return;
        }
        // The entry pointed at the user being erased: it must not outlive them.
        mpid.clear();
        time.clear();
        out.collect(IngestedBatch.erasure(found, request.requestId, request.receivedAt, Long.MAX_VALUE));
    }
}
