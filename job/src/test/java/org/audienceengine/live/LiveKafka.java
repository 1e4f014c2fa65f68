package org.audienceengine.live;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import org.audienceengine.config.EngineConfig;
import org.audienceengine.kafka.EmbeddedKafka;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/** The live job's settings and topics on a test broker, and records sent to them. */
final class LiveKafka {
    private LiveKafka() {}

    /**
     * Processing time at p=2, checkpoints every 500 ms under {@code dir}, and the job's topics
     * created with two partitions each.
     */
    static EngineConfig processingTime(EmbeddedKafka kafka, Path dir) throws Exception {
        EngineConfig config = EngineConfig.defaults().with(Map.of(
                EngineConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers(),
                EngineConfig.TIME_MODE, "processing",
                EngineConfig.CHECKPOINT_INTERVAL, "500ms",
                EngineConfig.CHECKPOINT_DIR, dir.resolve("checkpoints").toUri().toString(),
                EngineConfig.TRANSACTION_TIMEOUT, "2m",
                EngineConfig.PARALLELISM, "2"));
        kafka.createTopics(2, config.eventsTopic(), config.deltasTopic(), config.deadLettersTopic(),
                config.definitionsTopic(), config.dsrRequestsTopic(), config.dsrCompletionsTopic());
        return config;
    }

    static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
    }

    static void send(KafkaProducer<byte[], byte[]> producer, String topic, String value) throws Exception {
        producer.send(new ProducerRecord<>(topic, value.getBytes(StandardCharsets.UTF_8))).get();
    }
}
