package org.audienceengine.kafka;

import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;

import org.audienceengine.config.EngineConfig;
import org.audienceengine.deltas.MembershipDelta;
import org.audienceengine.ingest.DeadLetter;
import org.audienceengine.ingest.RawRecord;

import java.util.Properties;

/**
 * The live job's Kafka sources and sinks. Sources read only committed records (a transactional
 * producer's aborted writes never reach the engine) and commit their offsets to the consumer
 * group on each checkpoint, for monitoring lag; the offsets the job restores from are those in
 * its checkpoints. Every sink is transactional (exactly-once) with its own transactional id
 * prefix, so read_committed consumers see each output record once across failures.
 */
public final class KafkaConnectors {
    private KafkaConnectors() {}

    /**
     * Event batches: from the group's committed offsets, else the earliest.
     *
     * @param stoppingOffsets null for an unbounded source; else where the source ends, such as
     *     {@link OffsetsInitializer#latest()} (the end of each partition when the job starts)
     */
    public static KafkaSource<RawRecord> batches(EngineConfig config, OffsetsInitializer stoppingOffsets) {
        return source(config, config.eventsTopic(), config.groupId(), new RawRecordDeserializer(),
                committedElseEarliest(), stoppingOffsets);
    }

    /**
     * Definition documents: always from the earliest, so that a fresh start sees every document
     * still on the topic and ends with the latest in force; a restore resumes from its checkpoint.
     */
    public static KafkaSource<String> definitions(EngineConfig config, OffsetsInitializer stoppingOffsets) {
        return source(config, config.definitionsTopic(), config.groupId() + "-definitions", new TextDeserializer(),
                OffsetsInitializer.earliest(), stoppingOffsets);
    }

    /** Erasure requests: from the group's committed offsets, else the earliest. */
    public static KafkaSource<String> erasureRequests(EngineConfig config, OffsetsInitializer stoppingOffsets) {
        return source(config, config.dsrRequestsTopic(), config.groupId() + "-dsr", new TextDeserializer(),
                committedElseEarliest(), stoppingOffsets);
    }

    /** Connection control messages (a resume is harmless when repeated): committed, else earliest. */
    public static KafkaSource<String> connectionControl(EngineConfig config, OffsetsInitializer stoppingOffsets) {
        return source(config, config.connectionControlTopic(), config.groupId() + "-control", new TextDeserializer(),
                committedElseEarliest(), stoppingOffsets);
    }

    /**
     * The deltas topic read back for delivery: only what the deltas sink committed
     * (read_committed), so partners never see a delta that a failure rolled back. From the
     * group's committed offsets, else the earliest: a new delivery group replays the topic, which
     * the partners' idempotent calls absorb.
     */
    public static KafkaSource<String> committedDeltas(EngineConfig config, OffsetsInitializer stoppingOffsets) {
        return source(config, config.deltasTopic(), config.groupId() + "-delivery", new TextDeserializer(),
                committedElseEarliest(), stoppingOffsets);
    }

    public static KafkaSink<String> deliveryDeadLetters(EngineConfig config) {
        return sink(config, "delivery-dlq", new TextSerializer(config.deliveryDeadLettersTopic()));
    }

    public static KafkaSink<MembershipDelta> deltas(EngineConfig config) {
        return sink(config, "deltas", new DeltaSerializer(config.deltasTopic()));
    }

    public static KafkaSink<DeadLetter> deadLetters(EngineConfig config) {
        return sink(config, "dlq", new DeadLetterSerializer(config.deadLettersTopic()));
    }

    public static KafkaSink<String> erasureCompletions(EngineConfig config) {
        return sink(config, "dsr-completions", new TextSerializer(config.dsrCompletionsTopic()));
    }

    /** The transactional id prefix of one sink; distinct per sink, as Kafka requires. */
    public static String transactionalIdPrefix(EngineConfig config, String sinkName) {
        return config.transactionalIdPrefix() + "-" + sinkName;
    }

    @SuppressWarnings("deprecation") // the connector's committedOffsets still takes the old enum
    private static OffsetsInitializer committedElseEarliest() {
        return OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
    }

    private static <T> KafkaSource<T> source(EngineConfig config, String topic, String groupId,
            KafkaRecordDeserializationSchema<T> deserializer, OffsetsInitializer startingOffsets,
            OffsetsInitializer stoppingOffsets) {
        KafkaSourceBuilder<T> builder = KafkaSource.<T>builder()
                .setProperties(clientProperties(config))
                .setBootstrapServers(config.bootstrapServers())
                .setTopics(topic)
                .setGroupId(groupId)
                .setClientIdPrefix(groupId + "-" + topic)
                .setDeserializer(deserializer)
                .setStartingOffsets(startingOffsets)
                .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                .setProperty("commit.offsets.on.checkpoint", "true")
                // Partitions added to a topic (or seen late after its creation) are read within a
                // minute rather than the connector's default five.
                .setProperty("partition.discovery.interval.ms", "60000");
        if (stoppingOffsets != null) {
            builder.setBounded(stoppingOffsets);
        }
        return builder.build();
    }

    /**
     * The engine's producer settings under the configured client properties (which win). A batch
     * or timer writes its deltas at once, and they are read only once the checkpoint commits
     * them: record batches larger than Kafka's 16 KiB after 5 ms cost the producer's network
     * thread and the broker fewer requests (at 1,000 audiences the network thread's time per
     * batch fell by two thirds) and delay nothing a consumer could see.
     */
    public static Properties producerProperties(EngineConfig config) {
        Properties producer = new Properties();
        producer.setProperty(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        producer.setProperty(ProducerConfig.LINGER_MS_CONFIG, "20");
        producer.putAll(clientProperties(config));
        return producer;
    }

    private static <T> KafkaSink<T> sink(EngineConfig config, String name, KafkaRecordSerializationSchema<T> serializer) {
        return KafkaSink.<T>builder()
                .setKafkaProducerConfig(producerProperties(config))
                .setBootstrapServers(config.bootstrapServers())
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix(config, name))
                // At most the broker's transaction.max.timeout.ms (15 min by default), and longer
                // than a checkpoint plus a recovery: the broker aborts a transaction older than
                // this, which a restored job could then no longer commit.
                .setProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Long.toString(config.transactionTimeoutMs()))
                .build();
    }

    private static Properties clientProperties(EngineConfig config) {
        Properties props = new Properties();
        props.putAll(config.kafkaProperties());
        return props;
    }
}
