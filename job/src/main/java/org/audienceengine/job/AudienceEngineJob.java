package org.audienceengine.job;

import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

import org.audienceengine.config.EngineSettings;
import org.audienceengine.config.TimeMode;
import org.audienceengine.deltas.MembershipDelta;
import org.audienceengine.erasure.ErasureRequest;
import org.audienceengine.erasure.ErasureRequestFunction;
import org.audienceengine.erasure.IdentityIndexFunction;
import org.audienceengine.erasure.IdentityLink;
import org.audienceengine.ingest.DeadLetter;
import org.audienceengine.ingest.IngestFunction;
import org.audienceengine.ingest.IngestedBatch;
import org.audienceengine.ingest.RawRecord;
import org.audienceengine.profile.UserAudiencesOperator;


/**
 * The one place the engine's graph is wired: raw records → ingest (validation, dead letters) →
 * key by mpid → per-user profile state and audience evaluation → membership deltas, with the
 * definitions in force broadcast to every user and erasure requests routed to their user (by
 * identity through the identity index). Every mode (replay, local, cluster) and every integration
 * test builds the graph through {@link #build}.
 */
public final class AudienceEngineJob {
    public static final String INGEST_UID = "ingest";
    public static final String AUDIENCES_UID = "user-audiences";
    public static final String ERASURE_REQUESTS_UID = "erasure-requests";
    public static final String IDENTITY_INDEX_UID = "identity-index";

    private AudienceEngineJob() {}

    /**
     * What the graph reads. Only {@code batches} is required: {@code definitions} carries whole
     * definition documents (JSON text) that replace the set in force at run time, and
     * {@code erasureRequests} the erasure requests of deltas.md (JSON text).
     */
    public record Inputs(DataStream<RawRecord> batches, DataStream<String> definitions, DataStream<String> erasureRequests) {
        public static Inputs of(DataStream<RawRecord> batches) {
            return new Inputs(batches, null, null);
        }
    }

    /**
     * The graph's outputs; the caller connects them to sinks. {@code erasureCompletions} (JSON
     * text, one record per request) is null when there is no erasure input.
     */
    public record Outputs(
            DataStream<MembershipDelta> deltas, DataStream<DeadLetter> deadLetters, DataStream<String> erasureCompletions) {}

    /**
     * A side that never holds back event time: its watermark is the end of time from the start.
     * For inputs applied in arrival order rather than at a time.
     */
    public static WatermarkStrategy<String> timeless() {
        return WatermarkStrategy.forGenerator(ctx -> new EndOfTime());
    }

    /** Emits the final watermark at once and keeps emitting it. */
    private static final class EndOfTime implements WatermarkGenerator<String> {
        @Override
        public void onEvent(String event, long eventTimestamp, WatermarkOutput output) {
            output.emitWatermark(new Watermark(Long.MAX_VALUE));
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            output.emitWatermark(new Watermark(Long.MAX_VALUE));
        }
    }

    public static Outputs build(DataStream<RawRecord> batches, EngineSettings settings) {
        return build(Inputs.of(batches), settings);
    }

    public static Outputs build(Inputs inputs, EngineSettings settings) {
        boolean erasures = inputs.erasureRequests() != null;
        // Identity links feed the index only where requests by identity are resolved in the job.
        boolean linkIdentities = erasures && settings.timeMode() == TimeMode.PROCESSING;
        SingleOutputStreamOperator<IngestedBatch> batches = inputs.batches()
                .process(new IngestFunction(linkIdentities))
                .uid(INGEST_UID)
                .name("Ingest: parse and validate batches");
        DataStream<DeadLetter> deadLetters = batches.getSideOutput(IngestFunction.DEAD_LETTERS);
        DataStream<IngestedBatch> userInputs = batches;
        DataStream<String> notFound = null;

        if (erasures) {
            SingleOutputStreamOperator<IngestedBatch> byMpid = inputs.erasureRequests()
                    .process(new ErasureRequestFunction())
                    .uid(ERASURE_REQUESTS_UID)
                    .name("Erasure: parse requests");
            deadLetters = deadLetters.union(byMpid.getSideOutput(IngestFunction.DEAD_LETTERS));
            userInputs = userInputs.union(byMpid);
            if (linkIdentities) {
                SingleOutputStreamOperator<IngestedBatch> resolved = batches.getSideOutput(IngestFunction.IDENTITY_LINKS)
                        .keyBy(IdentityLink::getIdentityKey)
                        .connect(byMpid.getSideOutput(ErasureRequestFunction.BY_IDENTITY).keyBy(ErasureRequest::identityKey))
                        .process(new IdentityIndexFunction(settings.profileLifetimeMs()))
                        .uid(IDENTITY_INDEX_UID)
                        .name("Erasure: identity to mpid index");
                userInputs = userInputs.union(resolved);
                notFound = resolved.getSideOutput(IdentityIndexFunction.NOT_FOUND);
            }
        }

        DataStream<String> definitions = inputs.definitions() != null
                ? inputs.definitions()
                : NoRecords.text(inputs.batches().getExecutionEnvironment(), "definitions-none", "Definitions at run time");
        DataStream<String> timeless = definitions
                // Definitions apply in arrival order, not at a time: their side must never hold
                // back event time on the user side, so it always reports the end of time.
                .assignTimestampsAndWatermarks(timeless())
                .uid("definitions-timeless")
                .name("Definitions: timeless");
        // In batch execution (replay) Flink sorts a keyed operator's input by key, so that each
        // user's batches and instants run one user at a time, without holding every batch in
        // state until the end of input. It sorts only an operator keyed on both inputs: there the
        // definitions side (no records in replay: the file's document is the only one) is keyed too.
        boolean batch = inputs.batches().getExecutionEnvironment().getConfiguration()
                .get(ExecutionOptions.RUNTIME_MODE) == RuntimeExecutionMode.BATCH;
        SingleOutputStreamOperator<MembershipDelta> deltas = userInputs
                .keyBy(IngestedBatch::getMpid)
                .connect(batch ? timeless.keyBy(text -> 0L, Types.LONG) : timeless.broadcast())
                .transform("Profiles: evaluate audiences per user", TypeInformation.of(MembershipDelta.class),
                        new UserAudiencesOperator(settings))
                .uid(AUDIENCES_UID);
        deadLetters = deadLetters.union(deltas.getSideOutput(IngestFunction.DEAD_LETTERS));

        DataStream<String> completions = null;
        if (erasures) {
            completions = deltas.getSideOutput(UserAudiencesOperator.ERASURE_COMPLETIONS);
            if (notFound != null) {
                completions = completions.union(notFound);
            }
        }
        return new Outputs(deltas, deadLetters, completions);
    }
}
