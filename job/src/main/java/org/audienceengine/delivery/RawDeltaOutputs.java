package org.audienceengine.delivery;

import com.fasterxml.jackson.databind.JsonNode;

import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;

import org.apache.kafka.clients.producer.ProducerConfig;

import org.audienceengine.connectors.file.JsonLinesFileSink;
import org.audienceengine.deltas.DeltaJson;
import org.audienceengine.deltas.MembershipDelta;
import org.audienceengine.kafka.DeltaSerializer;

import java.io.Serializable;

/**
 * The {@code kafka} and {@code file} outputs: raw deltas (deltas.md) of the connection's
 * audiences. {@code kafka} writes to {@code settings.topic} (on {@code settings.bootstrap_servers}
 * or the engine's broker), transactional when the job checkpoints; {@code file} writes JSON Lines
 * part files under {@code settings.path}, named {@code <connection>-…jsonl}: in the live job
 * finished at each checkpoint, so a finished file holds each delta once; in replay one file per
 * parallel writer, {@code <connection>-<subtask>.jsonl}.
 */
public final class RawDeltaOutputs {
    /**
     * Where raw outputs write. {@code transactionalIdPrefix} null writes Kafka at least once (a
     * bounded run without checkpoints); otherwise exactly once.
     */
    public record Settings(String defaultBootstrapServers, String transactionalIdPrefix, long transactionTimeoutMs)
            implements Serializable {}

    private RawDeltaOutputs() {}

    static void attach(String connectionId, String kind, JsonNode settings, DataStream<MembershipDelta> deltas, Settings where) {
        if (kind.equals("kafka")) {
            deltas.sinkTo(kafka(connectionId, settings, where))
                    .uid("output-" + connectionId + "-kafka")
                    .name("Output " + connectionId + ": deltas to Kafka");
        } else {
            DataStream<String> lines = deltas.map(DeltaJson::toJson).returns(Types.STRING)
                    .uid("output-" + connectionId + "-json")
                    .name("Output " + connectionId + ": deltas as JSON");
            // A bounded run has no checkpoints to finish part files with: plain files, written once.
            (where.transactionalIdPrefix() == null
                    ? lines.sinkTo(new JsonLinesFileSink<>(java.nio.file.Path.of(settings.path("path").asText()), connectionId,
                            line -> line))
                    : lines.sinkTo(file(connectionId, settings)))
                    .uid("output-" + connectionId + "-file")
                    .name("Output " + connectionId + ": deltas to files");
        }
    }

    private static KafkaSink<MembershipDelta> kafka(String connectionId, JsonNode settings, Settings where) {
        String bootstrap = settings.path("bootstrap_servers").asText(where.defaultBootstrapServers());
        boolean exactlyOnce = where.transactionalIdPrefix() != null;
        var builder = KafkaSink.<MembershipDelta>builder()
                .setBootstrapServers(bootstrap)
                .setRecordSerializer(new DeltaSerializer(settings.path("topic").asText()))
                .setDeliveryGuarantee(exactlyOnce ? DeliveryGuarantee.EXACTLY_ONCE : DeliveryGuarantee.AT_LEAST_ONCE);
        if (exactlyOnce) {
            builder.setTransactionalIdPrefix(where.transactionalIdPrefix() + "-output-" + connectionId)
                    .setProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Long.toString(where.transactionTimeoutMs()));
        }
        return builder.build();
    }

    private static FileSink<String> file(String connectionId, JsonNode settings) {
        return FileSink.forRowFormat(new Path(settings.path("path").asText()), new SimpleStringEncoder<String>("UTF-8"))
                .withOutputFileConfig(OutputFileConfig.builder().withPartPrefix(connectionId).withPartSuffix(".jsonl").build())
                .withRollingPolicy(OnCheckpointRollingPolicy.build())
                .build();
    }
}
