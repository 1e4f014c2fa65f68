package org.audienceengine.job;

import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

import org.audienceengine.config.EngineSettings;
import org.audienceengine.deltas.MembershipDelta;
import org.audienceengine.ingest.DeadLetter;
import org.audienceengine.ingest.IngestFunction;
import org.audienceengine.ingest.IngestedBatch;
import org.audienceengine.ingest.RawRecord;
import org.audienceengine.profile.UserAudiencesFunction;

/**
 * The one place the engine's graph is wired: raw records → ingest (validation, dead letters) →
 * key by mpid → per-user profile state and audience evaluation → membership deltas. Every mode
 * (replay, local, cluster) and every integration test builds the graph through {@link #build}.
 */
public final class AudienceEngineJob {
    public static final String INGEST_UID = "ingest";
    public static final String AUDIENCES_UID = "user-audiences";

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

    public static Outputs build(DataStream<RawRecord> batches, EngineSettings settings) {
        return build(Inputs.of(batches), settings);
    }

    public static Outputs build(Inputs inputs, EngineSettings settings) {
        SingleOutputStreamOperator<IngestedBatch> batches = inputs.batches()
                .process(new IngestFunction())
                .uid(INGEST_UID)
                .name("Ingest: parse and validate batches");
        SingleOutputStreamOperator<MembershipDelta> deltas = batches
                .keyBy(IngestedBatch::getMpid)
                .process(new UserAudiencesFunction(settings))
                .uid(AUDIENCES_UID)
                .name("Profiles: evaluate audiences per user");
        DataStream<DeadLetter> deadLetters = batches.getSideOutput(IngestFunction.DEAD_LETTERS)
                .union(deltas.getSideOutput(IngestFunction.DEAD_LETTERS));
        return new Outputs(deltas, deadLetters, null);
    }
}
