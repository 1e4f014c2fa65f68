package org.audienceengine.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import org.audienceengine.config.EngineConfig;
import org.audienceengine.ingest.RawRecord;
import org.audienceengine.kafka.KafkaConnectors;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * The baseline the engine is measured against: what any keyed Flink job over these batches
 * costs at least. The same Kafka source and settings as the live job, a Jackson parse of each
 * batch, key by mpid, one RocksDB value read and written per batch (a few hundred bytes, as a
 * light profile), and a small record to Kafka, exactly once, for one batch in sixteen.
 */
final class BarePipeline {
    private BarePipeline() {}

    static void build(StreamExecutionEnvironment env, EngineConfig config, String outputTopic,
            UnaryOperator<DataStream<RawRecord>> beforeParse) {
        beforeParse.apply(batches(env, config, "bare-events-source"))
                .map(new ParseMpid()).uid("bare-parse").name("Bare: parse with Jackson")
                .keyBy(t -> t.f0, Types.LONG)
                .process(new ReadWriteValue()).uid("bare-state").name("Bare: one value per user")
                .sinkTo(textSink(config, outputTopic, "-bare"))
                .uid("bare-sink").name("Bare: to Kafka");
    }

    /** The live job's events source, with its settings. */
    static DataStream<RawRecord> batches(StreamExecutionEnvironment env, EngineConfig config, String uid) {
        return env.fromSource(KafkaConnectors.batches(config, OffsetsInitializer.latest()), WatermarkStrategy.noWatermarks(),
                        "Events from Kafka")
                .uid(uid);
    }

    /** Text records to a topic, exactly once, as the live job writes its deltas. */
    static KafkaSink<String> textSink(EngineConfig config, String topic, String transactionalSuffix) {
        return KafkaSink.<String>builder()
                .setKafkaProducerConfig(KafkaConnectors.producerProperties(config))
                .setBootstrapServers(config.bootstrapServers())
                .setRecordSerializer(KafkaRecordSerializationSchema.builder()
                        .setTopic(topic).setValueSerializationSchema(new SimpleStringSchema()).build())
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(config.transactionalIdPrefix() + transactionalSuffix)
                .setProperty("transaction.timeout.ms", Long.toString(config.transactionTimeoutMs()))
                .build();
    }

    private static final class ParseMpid implements org.apache.flink.api.common.functions.MapFunction<RawRecord, Tuple2<Long, byte[]>> {
        private static final ObjectMapper MAPPER = new ObjectMapper();

        @Override
        public Tuple2<Long, byte[]> map(RawRecord record) throws Exception {
            JsonNode root = MAPPER.readTree(record.payload);
            return Tuple2.of(root.path("mpid").asLong(), record.payload);
        }
    }

    private static final class ReadWriteValue extends KeyedProcessFunction<Long, Tuple2<Long, byte[]>, String> {
        private transient ValueState<byte[]> value;

        @Override
        public void open(OpenContext context) {
            value = getRuntimeContext().getState(
                    new ValueStateDescriptor<>("value", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        }

        @Override
        public void processElement(Tuple2<Long, byte[]> in, Context ctx, Collector<String> out) throws Exception {
            byte[] before = value.value();
            int seen = before == null ? 0 : before[0] & 0xff;
            byte[] after = Arrays.copyOf(in.f1, Math.min(in.f1.length, 300));
            after[0] = (byte) (seen + 1);
            value.update(after);
            if (seen % 16 == 0) {
                out.collect(new String(after, 1, Math.min(40, after.length - 1), StandardCharsets.ISO_8859_1));
            }
        }
    }
}
