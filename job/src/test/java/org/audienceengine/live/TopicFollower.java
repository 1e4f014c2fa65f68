package org.audienceengine.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Follows a topic as a read_committed consumer while a job runs, and waits (polling, with a
 * deadline) until what it has read satisfies a condition.
 */
final class TopicFollower implements AutoCloseable {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<JsonNode> seen = new ArrayList<>();
    private final List<Long> seenAt = new ArrayList<>();

    TopicFollower(String bootstrapServers, String topic) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + topic + "-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(topic));
    }

    /** Reads until {@code done} holds for everything read so far; fails after {@code timeout}. */
    List<JsonNode> awaitUntil(Predicate<List<JsonNode>> done, Duration timeout, String what) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.test(seen)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "; read: " + seen);
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                seen.add(MAPPER.readTree(r.value()));
                seenAt.add(System.currentTimeMillis());
            }
        }
        return List.copyOf(seen);
    }

    /** Wall-clock time at which the i-th record was read. */
    long readAt(int index) {
        return seenAt.get(index);
    }

    List<JsonNode> seen() {
        return List.copyOf(seen);
    }

    @Override
    public void close() {
        consumer.close();
    }
}
