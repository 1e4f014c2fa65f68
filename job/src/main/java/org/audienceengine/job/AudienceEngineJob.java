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

    /** The graph's two outputs; the caller connects them to sinks. */
    public record Outputs(DataStream<MembershipDelta> deltas, DataStream<DeadLetter> deadLetters) {}

    public static Outputs build(DataStream<RawRecord> input, EngineSettings settings) {
        SingleOutputStreamOperator<IngestedBatch> batches = input
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
        return new Outputs(deltas, deadLetters);
    }
}
