package org.audienceengine.kafka;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a whole topic as a read_committed consumer, from the beginning to its end when read:
 * only what committed transactions wrote. For a read_committed consumer the end is the last
 * stable offset, so once the writer has stopped this is everything it committed.
 */
public final class CommittedRecords {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private CommittedRecords() {}

    /** Every committed value, per partition in log order. */
    public static Map<Integer, List<String>> byPartition(String bootstrapServers, String topic) {
        Map<Integer, List<String>> out = new TreeMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, TIMEOUT).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, TIMEOUT);
            partitions.forEach(p -> out.put(p.partition(), new ArrayList<>()));
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!ends.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read topic " + topic + " to its end " + ends);
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value() != null) {
                        out.get(record.partition()).add(record.value());
                    }
                }
            }
        }
        return out;
    }

    /** Every committed value, partition after partition. */
    public static List<String> all(String bootstrapServers, String topic) {
        List<String> all = new ArrayList<>();
        byPartition(bootstrapServers, topic).values().forEach(all::addAll);
        return all;
    }
}
