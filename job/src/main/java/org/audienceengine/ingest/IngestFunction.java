package org.audienceengine.ingest;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import org.audienceengine.erasure.IdentityKeys;
import org.audienceengine.erasure.IdentityLink;

import java.util.EnumMap;
import java.util.Map;

/**
 * Validates raw records: good batches go on keyed by mpid with their batch time; bad ones go to
 * the dead-letter output with the reason and source position, counted by reason. Never throws.
 */
public final class IngestFunction extends ProcessFunction<RawRecord, IngestedBatch> {
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};
    /** Job accumulator: batches that passed validation (bounded runs report it). */
    public static final String ACCEPTED_ACCUMULATOR = "batches-accepted";

    /** Identity → mpid links for the erasure index (only when it is wired). */
    public static final OutputTag<IdentityLink> IDENTITY_LINKS = new OutputTag<>("identity-links") {};

    private final boolean linkIdentities;
    private transient Map<Rejection.Reason, Counter> rejected;
    private transient Counter accepted;
    private transient Counter batchesIn;
    private transient LongCounter acceptedTotal;

    public IngestFunction() {
        this(false);
    }

    public IngestFunction(boolean linkIdentities) {
        this.linkIdentities = linkIdentities;
    }

    @Override
    public void open(OpenContext context) {
        rejected = new EnumMap<>(Rejection.Reason.class);
        for (Rejection.Reason reason : Rejection.Reason.values()) {
            rejected.put(reason, getRuntimeContext().getMetricGroup()
                    .addGroup("reason", reason.label())
                    .counter("batchesDeadLettered"));
        }
        accepted = getRuntimeContext().getMetricGroup().counter("batchesAccepted");
        batchesIn = getRuntimeContext().getMetricGroup().counter("batchesIn");
        acceptedTotal = new LongCounter();
        getRuntimeContext().addAccumulator(ACCEPTED_ACCUMULATOR, acceptedTotal);
    }

    @Override
    public void processElement(RawRecord record, Context ctx, Collector<IngestedBatch> out) {
        batchesIn.inc();
        BatchParser.Result result = BatchParser.parse(record.payload, record.receivedAt);
        if (!result.ok()) {
            rejected.get(result.rejection().reason()).inc();
            ctx.output(DEAD_LETTERS, DeadLetter.of(record, result.rejection()));
            return;
        }
        accepted.inc();
        acceptedTotal.add(1);
        Batch batch = result.batch();
        IngestedBatch ingested = new IngestedBatch(batch.mpid, batch.batchTime, record.order, record.receivedAt, null);
        ingested.batch = batch;
        out.collect(ingested);
        if (linkIdentities) {
            for (Map.Entry<String, String> identity : batch.userIdentities.entrySet()) {
                if (identity.getValue() != null) {
                    ctx.output(IDENTITY_LINKS, new IdentityLink(
                            IdentityKeys.of(identity.getKey(), identity.getValue()), batch.mpid, batch.batchTime));
                }
            }
        }
    }
}
