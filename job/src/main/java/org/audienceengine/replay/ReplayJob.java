package org.audienceengine.replay;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import org.audienceengine.config.EngineSettings;
import org.audienceengine.config.TimeMode;
import org.audienceengine.connectors.file.JsonLinesFileSink;
import org.audienceengine.delivery.Connections;
import org.audienceengine.delivery.DeliveryGraph;
import org.audienceengine.delivery.RawDeltaOutputs;
import org.audienceengine.deltas.DeltaJson;
import org.audienceengine.ingest.DeadLetterJson;
import org.audienceengine.ingest.RawRecord;
import org.audienceengine.job.AudienceEngineJob;
import org.audienceengine.job.FlinkDefaults;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A backtest: the engine's graph, bounded, in event time, over JSON Lines files, on a local mini
 * cluster in batch execution (input sorted by user, one user's state at a time). Writes one deltas and one dead-letter part file per subtask
 * into a work folder; {@link ReplayReport} merges them.
 */
public final class ReplayJob {
    static final String DELTAS_PREFIX = "deltas";
    static final String DLQ_PREFIX = "dlq";
    static final String COMPLETIONS_PREFIX = "dsr-completions";
    static final String DELIVERY_DLQ_PREFIX = "delivery-dlq";

    private ReplayJob() {}

    public static JobExecutionResult run(List<Path> events, String definitionsJson, Long untilMs, int parallelism,
            long profileLifetimeMs, Path partsDir) throws Exception {
        return run(events, null, definitionsJson, untilMs, parallelism, profileLifetimeMs, partsDir);
    }

    /**
     * @param erasureRequests erasure requests by mpid (JSON text, see {@link ReplayErasures}), or
     *     null for none
     */
    public static JobExecutionResult run(List<Path> events, List<String> erasureRequests, String definitionsJson,
            Long untilMs, int parallelism, long profileLifetimeMs, Path partsDir) throws Exception {
        return run(events, erasureRequests, null, definitionsJson, untilMs, parallelism, profileLifetimeMs, partsDir);
    }

    /**
     * @param connectionsJson the connections the deltas will be delivered to (by {@link #deliver}),
     *     or null: they decide which identity changes are announced
     */
    public static JobExecutionResult run(List<Path> events, List<String> erasureRequests, String connectionsJson,
            String definitionsJson, Long untilMs, int parallelism, long profileLifetimeMs, Path partsDir)
            throws Exception {
        EngineSettings settings = EngineSettings.builder(definitionsJson)
                .timeMode(TimeMode.EVENT)
                .untilMs(untilMs)
                .profileLifetimeMs(profileLifetimeMs)
                .identityTypesUsed(connectionsJson == null ? Map.of()
                        : Connections.parse(connectionsJson).identityTypesByAudience())
                .build();
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(parallelism, FlinkDefaults.boundedRunConfiguration());
        env.setMaxParallelism(settings.maxParallelism());
        // Batch execution: the keyed input is sorted by user (spilling to disk), and each user's
        // batches and expiry instants run in time order once all of theirs are in (see
        // AudienceEngineJob), so state and memory hold one user at a time, not the whole input.
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);

        DataStream<RawRecord> input = null;
        for (int i = 0; i < events.size(); i++) {
            Path file = events.get(i).toAbsolutePath();
            FileSource<RawRecord> source = FileSource
                    .forRecordStreamFormat(new JsonLinesFormat(file.toString(), i), new org.apache.flink.core.fs.Path(file.toUri()))
                    .build();
            // Event time comes from batch times inside the operator; the end of input (the final
            // watermark) releases every pending batch and expiry in time order.
            DataStream<RawRecord> stream = env.fromSource(source, WatermarkStrategy.noWatermarks(), "Events file " + file.getFileName())
                    .uid("replay-events-" + i);
            input = input == null ? stream : input.union(stream);
        }

        DataStream<String> erasures = erasureRequests == null
                ? null
                : env.fromData(erasureRequests, Types.STRING).uid("replay-erasure-requests").name("Erasure requests file");
        AudienceEngineJob.Outputs outputs =
                AudienceEngineJob.build(new AudienceEngineJob.Inputs(input, null, erasures), settings);
        outputs.deltas()
                .sinkTo(new JsonLinesFileSink<>(partsDir, DELTAS_PREFIX, new DeltaJson()))
                .uid("replay-deltas-file")
                .name("Deltas to files");
        outputs.deadLetters()
                .sinkTo(new JsonLinesFileSink<>(partsDir, DLQ_PREFIX, new DeadLetterJson()))
                .uid("replay-dlq-file")
                .name("Dead letters to files");
        if (outputs.erasureCompletions() != null) {
            outputs.erasureCompletions()
                    .sinkTo(new JsonLinesFileSink<>(partsDir, COMPLETIONS_PREFIX, line -> line))
                    .uid("replay-dsr-completions-file")
                    .name("Erasure completions to files");
        }
        return env.execute("audience-engine replay");
    }

    /**
     * Delivers a replay's final deltas file to the connections, the way the live job delivers
     * its committed deltas: the same graph, bounded. Ends when every member is delivered or
     * dead-lettered; faulted connections hold theirs (counted in the accumulators as held).
     */
    public static JobExecutionResult deliver(Path deltasFile, String connectionsJson, int parallelism, Path partsDir)
            throws Exception {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(parallelism, FlinkDefaults.boundedRunConfiguration());
        env.setMaxParallelism(EngineSettings.DEFAULT_MAX_PARALLELISM);
        Path file = deltasFile.toAbsolutePath();
        // One file, one reader: the deltas keep the file's order, which is seq order per (audience, mpid).
        FileSource<String> source = FileSource
                .forRecordStreamFormat(new TextLineInputFormat(), new org.apache.flink.core.fs.Path(file.toUri()))
                .build();
        DataStream<String> deltas = env.fromSource(source, WatermarkStrategy.noWatermarks(), "Deltas file")
                .uid("replay-deltas-for-delivery");
        DeliveryGraph.attach(deltas, null, connectionsJson, new RawDeltaOutputs.Settings("127.0.0.1:9092", null, 0))
                .sinkTo(new JsonLinesFileSink<>(partsDir, DELIVERY_DLQ_PREFIX, line -> line))
                .uid("replay-delivery-dlq-file")
                .name("Delivery dead letters to files");
        return env.execute("audience-engine replay delivery");
    }
}
