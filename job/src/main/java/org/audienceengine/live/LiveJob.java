package org.audienceengine.live;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import org.audienceengine.config.EngineConfig;
import org.audienceengine.config.EngineSettings;
import org.audienceengine.config.TimeMode;
import org.audienceengine.delivery.Connections;
import org.audienceengine.delivery.DeliveryGraph;
import org.audienceengine.delivery.RawDeltaOutputs;
import org.audienceengine.deltas.MembershipDelta;
import org.audienceengine.ingest.RawRecord;
import org.audienceengine.job.AudienceEngineJob;
import org.audienceengine.job.FlinkDefaults;
import org.audienceengine.kafka.KafkaConnectors;

import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * The live job: Kafka topics in, the engine's graph ({@link AudienceEngineJob#build}), Kafka
 * topics out, exactly once. Checkpoints are exactly-once and incremental (RocksDB), retained on
 * cancellation so that a cancelled job can be resumed from its last checkpoint.
 */
public final class LiveJob {
    public static final String EVENTS_SOURCE_UID = "kafka-events-source";
    public static final String DEFINITIONS_SOURCE_UID = "kafka-definitions-source";
    public static final String DSR_REQUESTS_SOURCE_UID = "kafka-dsr-requests-source";
    public static final String DELTAS_SINK_UID = "kafka-deltas-sink";
    public static final String DEAD_LETTERS_SINK_UID = "kafka-dlq-sink";
    public static final String DSR_COMPLETIONS_SINK_UID = "kafka-dsr-completions-sink";
    public static final String CONTROL_SOURCE_UID = "kafka-connection-control-source";
    public static final String DELIVERY_DLQ_SINK_UID = "kafka-delivery-dlq-sink";
    public static final String COMMITTED_DELTAS_SOURCE_UID = "kafka-committed-deltas-source";

    private LiveJob() {}

    /**
     * How the graph is built beyond the settings. {@code stoppingOffsets} null reads forever;
     * otherwise the batches source ends there and the other sources at the end their partitions
     * have when the job starts (a bounded run: in event time, the end of input releases every
     * pending batch and expiry, as in replay). The two hooks let tests put an operator in front
     * of ingest and in front of the deltas sink (to inject failures, say).
     */
    public record Options(
            OffsetsInitializer stoppingOffsets,
            UnaryOperator<DataStream<RawRecord>> beforeIngest,
            UnaryOperator<DataStream<MembershipDelta>> beforeDeltasSink,
            String connectionsJson) {

        public static Options unbounded() {
            return new Options(null, UnaryOperator.identity(), UnaryOperator.identity(), null);
        }

        /** Forward the deltas to these partner connections (a validated connections document). */
        public Options withConnections(String json) {
            return new Options(stoppingOffsets, beforeIngest, beforeDeltasSink, json);
        }

        /** Every source ends at the end its partitions have when the job starts. */
        public static Options boundedAtLatest() {
            return unbounded().boundedAt(OffsetsInitializer.latest());
        }

        public Options boundedAt(OffsetsInitializer stopping) {
            return new Options(stopping, beforeIngest, beforeDeltasSink, connectionsJson);
        }

        public Options beforeIngest(UnaryOperator<DataStream<RawRecord>> hook) {
            return new Options(stoppingOffsets, hook, beforeDeltasSink, connectionsJson);
        }

        public Options beforeDeltasSink(UnaryOperator<DataStream<MembershipDelta>> hook) {
            return new Options(stoppingOffsets, beforeIngest, hook, connectionsJson);
        }
    }

    /** The production job: unbounded sources. */
    public static AudienceEngineJob.Outputs build(StreamExecutionEnvironment env, EngineConfig config, String definitionsJson) {
        return build(env, config, definitionsJson, Options.unbounded());
    }

    public static AudienceEngineJob.Outputs build(StreamExecutionEnvironment env, EngineConfig config,
            String definitionsJson, Options options) {
        configure(env, config);

        DataStream<RawRecord> batches = env
                .fromSource(KafkaConnectors.batches(config, options.stoppingOffsets()),
                        batchesWatermarks(config), "Events from Kafka")
                .uid(EVENTS_SOURCE_UID);
        OffsetsInitializer othersStopAt = options.stoppingOffsets() == null ? null : OffsetsInitializer.latest();
        DataStream<String> definitions = env
                .fromSource(KafkaConnectors.definitions(config, othersStopAt),
                        WatermarkStrategy.noWatermarks(), "Audience definitions from Kafka")
                .uid(DEFINITIONS_SOURCE_UID);
        // On an endless topic of rare requests, the requests' side must not hold back event time
        // on the batches' side: each request is scheduled at its own time. A bounded run keeps
        // it: there the requests must all be in before the end of input releases every timer.
        boolean endless = options.stoppingOffsets() == null && config.timeMode() == TimeMode.EVENT;
        DataStream<String> erasures = env
                .fromSource(KafkaConnectors.erasureRequests(config, othersStopAt),
                        endless ? AudienceEngineJob.timeless() : WatermarkStrategy.noWatermarks(),
                        "Erasure requests from Kafka")
                .uid(DSR_REQUESTS_SOURCE_UID);

        EngineSettings settings = config.toEngineSettings(definitionsJson);
        if (options.connectionsJson() != null) {
            settings = settings.withIdentityTypesUsed(Connections.parse(options.connectionsJson()).identityTypesByAudience());
        }
        AudienceEngineJob.Outputs outputs = AudienceEngineJob.build(
                new AudienceEngineJob.Inputs(options.beforeIngest().apply(batches), definitions, erasures), settings);

        options.beforeDeltasSink().apply(outputs.deltas())
                .sinkTo(KafkaConnectors.deltas(config))
                .uid(DELTAS_SINK_UID)
                .name("Deltas to Kafka");
        outputs.deadLetters()
                .sinkTo(KafkaConnectors.deadLetters(config))
                .uid(DEAD_LETTERS_SINK_UID)
                .name("Dead letters to Kafka");
        if (outputs.erasureCompletions() != null) {
            outputs.erasureCompletions()
                    .sinkTo(KafkaConnectors.erasureCompletions(config))
                    .uid(DSR_COMPLETIONS_SINK_UID)
                    .name("Erasure completions to Kafka");
        }
        if (options.connectionsJson() != null) {
            attachDelivery(env, config, options.connectionsJson(), othersStopAt);
        }
        return outputs;
    }

    /**
     * Event time lives inside the batches (batch time); the operator orders each user's batches by
     * it. Time moves per partition with its record timestamps (the source keeps one watermark per
     * split and forwards the lowest), so a partition that lags holds time back instead of making
     * the others' batches late. In processing time no watermark is needed.
     */
    private static WatermarkStrategy<RawRecord> batchesWatermarks(EngineConfig config) {
        if (config.timeMode() != TimeMode.EVENT) {
            return WatermarkStrategy.noWatermarks();
        }
        return WatermarkStrategy.forBoundedOutOfOrderness(Duration.ofMillis(config.maxOutOfOrdernessMs()));
    }

    /**
     * Delivery in the same job, as its own pipeline: it reads the deltas topic back
     * (read_committed), so partners get only committed deltas, and it shares no edge with
     * evaluation, so a partner's trouble never back-pressures the engine (and a failure in it
     * restarts only its own region).
     */
    private static void attachDelivery(StreamExecutionEnvironment env, EngineConfig config, String connectionsJson,
            OffsetsInitializer stopAt) {
        DataStream<String> committed = env
                .fromSource(KafkaConnectors.committedDeltas(config, stopAt), WatermarkStrategy.noWatermarks(),
                        "Committed deltas from Kafka")
                .uid(COMMITTED_DELTAS_SOURCE_UID);
        DataStream<String> control = env
                .fromSource(KafkaConnectors.connectionControl(config, stopAt),
                        WatermarkStrategy.noWatermarks(), "Connection control from Kafka")
                .uid(CONTROL_SOURCE_UID);
        RawDeltaOutputs.Settings raw = new RawDeltaOutputs.Settings(config.bootstrapServers(),
                config.transactionalIdPrefix(), config.transactionTimeoutMs());
        DeliveryGraph.attach(committed, control, connectionsJson, raw)
                .sinkTo(KafkaConnectors.deliveryDeadLetters(config))
                .uid(DELIVERY_DLQ_SINK_UID)
                .name("Delivery dead letters to Kafka");
    }

    private static void configure(StreamExecutionEnvironment env, EngineConfig config) {
        Configuration conf = FlinkDefaults.engineConfiguration();
        conf.set(StateBackendOptions.STATE_BACKEND, config.stateBackend());
        conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        if (!config.checkpointDir().isEmpty()) {
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, config.checkpointDir());
        }
        conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION, ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        env.configure(conf);
        env.enableCheckpointing(config.checkpointIntervalMs(), CheckpointingMode.EXACTLY_ONCE);
        env.setMaxParallelism(config.maxParallelism());
        config.parallelism().ifPresent(env::setParallelism);
    }
}
