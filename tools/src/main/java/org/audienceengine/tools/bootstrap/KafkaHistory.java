package org.audienceengine.tools.bootstrap;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplitSerializer;
import org.apache.flink.core.io.SimpleVersionedSerialization;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;

import org.audienceengine.ingest.RawRecord;
import org.audienceengine.kafka.RawRecordDeserializer;
import org.audienceengine.live.LiveJob;
import org.audienceengine.tools.state.SavepointState;

import java.util.HashMap;
import java.util.Map;

/**
 * The events topic as history: from a time on, up to exactly the offsets the job's events source
 * had reached in the savepoint (its split state), so that each batch the job applied is read
 * once and nothing it had not read yet is counted.
 */
final class KafkaHistory {
    /** The list state a source operator keeps its splits in (Flink's SourceOperator). */
    private static final String SPLITS_STATE = "SourceReaderState";

    private KafkaHistory() {}

    /** Per partition, the next offset the job would have read. */
    static Map<TopicPartition, Long> sourceOffsets(SavepointState state) throws Exception {
        StreamExecutionEnvironment env = state.writingEnvironment();
        Map<TopicPartition, Long> offsets = new HashMap<>();
        KafkaPartitionSplitSerializer serializer = new KafkaPartitionSplitSerializer();
        try (CloseableIterator<byte[]> splits = state.reader(env).readListState(OperatorIdentifier.forUid(LiveJob.EVENTS_SOURCE_UID),
                SPLITS_STATE, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO).executeAndCollect("read source offsets")) {
            while (splits.hasNext()) {
                KafkaPartitionSplit split = SimpleVersionedSerialization.readVersionAndDeSerialize(serializer, splits.next());
                offsets.put(split.getTopicPartition(), split.getStartingOffset());
            }
        }
        return offsets;
    }

    static DataStream<RawRecord> read(StreamExecutionEnvironment env, String bootstrapServers, String topic, long fromTime,
            Map<TopicPartition, Long> until) {
        KafkaSource<RawRecord> source = KafkaSource.<RawRecord>builder()
                .setBootstrapServers(bootstrapServers)
                .setTopics(topic)
                .setGroupId("audience-engine-bootstrap")
                .setDeserializer(new RawRecordDeserializer())
                .setStartingOffsets(OffsetsInitializer.timestamp(fromTime))
                .setBounded(OffsetsInitializer.offsets(until))
                .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                .setProperty("commit.offsets.on.checkpoint", "false")
                .build();
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "History from " + topic);
    }
}
