package org.audienceengine.live;

import com.fasterxml.jackson.databind.JsonNode;

import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import org.audienceengine.config.EngineConfig;
import org.audienceengine.connectors.mailchimp.MailchimpOutput;
import org.audienceengine.connectors.partnersim.PartnerSimulator;
import org.audienceengine.delivery.ControlMessages;
import org.audienceengine.kafka.CommittedRecords;
import org.audienceengine.ingest.RawRecord;
import org.audienceengine.kafka.EmbeddedKafka;
import org.audienceengine.testutils.FinalMembers;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * A live job's surroundings for delivery tests: a real broker with the engine's topics, the
 * partner simulator, a producer of batches and control messages, and the committed membership
 * (what a read_committed consumer of the deltas topic sees) to compare partners with.
 */
final class DeliveryRig implements AutoCloseable {

    /** Arms {@link FailOnce}. */
    static final AtomicBoolean FAIL_ONCE = new AtomicBoolean();
    /** Checkpoints completed, as {@link FailOnce} hears them. */
    static final AtomicInteger CHECKPOINTS = new AtomicInteger();

    /** In front of ingest: fails the job once when armed, at the next record; counts completed checkpoints. */
    static final class FailOnce implements MapFunction<RawRecord, RawRecord>, CheckpointListener {
        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            CHECKPOINTS.incrementAndGet();
        }

        @Override
        public RawRecord map(RawRecord record) {
            if (FAIL_ONCE.compareAndSet(true, false)) {
                throw new IllegalStateException("injected failure");
            }
            return record;
        }
    }

    final EmbeddedKafka kafka;
    final PartnerSimulator sim;
    final EngineConfig config;
    private final KafkaProducer<byte[], byte[]> producer;
    /** What {@link #deliveryCaughtUp} saw last, for failure messages. */
    static volatile String lastOffsets = "";

    DeliveryRig(PartnerSimulator.Config simulator, Path dir, int parallelism) throws Exception {
        kafka = EmbeddedKafka.start();
        sim = PartnerSimulator.start(simulator);
        config = EngineConfig.defaults().with(Map.of(
                EngineConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers(),
                EngineConfig.TIME_MODE, "processing",
                EngineConfig.CHECKPOINT_INTERVAL, "300ms",
                EngineConfig.CHECKPOINT_DIR, dir.resolve("checkpoints").toUri().toString(),
                EngineConfig.TRANSACTION_TIMEOUT, "2m",
                EngineConfig.PARALLELISM, Integer.toString(parallelism)));
        kafka.createTopics(2, config.eventsTopic(), config.deltasTopic(), config.deadLettersTopic(),
                config.definitionsTopic(), config.dsrRequestsTopic(), config.dsrCompletionsTopic(),
                config.connectionControlTopic(), config.deliveryDeadLettersTopic());
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Flink settings for tests: a few quick restarts, then failure (never a hang). */
    static Configuration flink() {
        Configuration flink = new Configuration();
        flink.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        flink.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        flink.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        return flink;
    }

    static String email(long mpid) {
        return "user" + mpid + "@example.com";
    }

    /** A batch for user {@code mpid} now: its plan, email and customer id. */
    void batch(long mpid, String plan, String customerId) throws Exception {
        batchAsync(mpid, plan, customerId).get();
    }

    /** {@link #batch} without waiting for the broker's acknowledgement (see {@link #flush}). */
    java.util.concurrent.Future<?> batchAsync(long mpid, String plan, String customerId) {
        return sendAsync(config.eventsTopic(), Long.toString(mpid), "{\"mpid\": " + mpid + ", \"timestamp_unixtime_ms\": "
                + System.currentTimeMillis() + ", \"environment\": \"production\", \"user_identities\": {\"email\": \""
                + email(mpid) + "\", \"customer_id\": \"" + customerId + "\"}, \"user_attributes\": {\"plan\": \"" + plan + "\"}}");
    }

    void flush() {
        producer.flush();
    }

    void resume(String connectionId) throws Exception {
        send(config.connectionControlTopic(), null, ControlMessages.resume(connectionId));
    }

    private void send(String topic, String key, String value) throws Exception {
        sendAsync(topic, key, value).get();
    }

    private java.util.concurrent.Future<?> sendAsync(String topic, String key, String value) {
        return producer.send(new ProducerRecord<>(topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8)));
    }

    /** Committed deltas: per audience, the last delta of each member whose last delta is an add. */
    Map<Integer, Map<Long, JsonNode>> committedMembers() {
        return FinalMembers.of(CommittedRecords.all(kafka.bootstrapServers(), config.deltasTopic()));
    }

    long committedDeltaCount() {
        return CommittedRecords.all(kafka.bootstrapServers(), config.deltasTopic()).size();
    }

    /** The emails (lower-cased) of the committed members of any of {@code audiences}. */
    Set<String> committedEmails(int... audiences) throws Exception {
        Map<Integer, Map<Long, JsonNode>> members = committedMembers();
        Set<String> out = new HashSet<>();
        for (int a : audiences) {
            members.getOrDefault(a, Map.of()).values().forEach(d ->
                    out.add(d.path("identities").path("email").asText().trim().toLowerCase(Locale.ROOT)));
        }
        return out;
    }

    /** The customer ids of the committed members of {@code audience}. */
    Set<String> committedCustomerIds(int audience) throws Exception {
        return committedMembers().getOrDefault(audience, Map.of()).values().stream()
                .map(d -> d.path("identities").path("customer_id").asText()).collect(Collectors.toSet());
    }

    Set<Long> committedMpids(int audience) throws Exception {
        return Set.copyOf(committedMembers().getOrDefault(audience, Map.of()).keySet());
    }

    /** The Braze users holding {@code segment} in SegmentMembership. */
    Set<String> brazeIn(String segment) {
        var state = sim.state();
        return state.brazeUsers().stream().filter(u -> state.brazeSegments(u).contains(segment)).collect(Collectors.toSet());
    }

    long mailchimpCalls() {
        var state = sim.state();
        return state.requests("mailchimp_member_put") + state.requests("mailchimp_member_delete");
    }

    /**
     * True once delivery has consumed the whole deltas topic: its consumer group's offsets, which
     * the source commits when a checkpoint completes, are past the last committed delta of every
     * partition (transaction markers take offsets too, so the end offset is not the measure).
     */
    boolean deliveryCaughtUp() throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            committed = admin.listConsumerGroupOffsets(config.groupId() + "-delivery").partitionsToOffsetAndMetadata().get();
        }
        Map<TopicPartition, Long> lastRecord = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = List.of(new TopicPartition(config.deltasTopic(), 0),
                    new TopicPartition(config.deltasTopic(), 1));
            consumer.assign(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            for (TopicPartition p : partitions) {
                consumer.seek(p, Math.max(0, ends.get(p) - 50));
            }
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    lastRecord.merge(new TopicPartition(r.topic(), r.partition()), r.offset(), Math::max);
                }
            }
        }
        lastOffsets = "committed " + committed + ", last records " + lastRecord;
        for (var e : lastRecord.entrySet()) {
            OffsetAndMetadata c = committed.get(e.getKey());
            if (c == null || c.offset() <= e.getValue()) {
                return false;
            }
        }
        return true;
    }

    static String md5(String email) {
        return MailchimpOutput.subscriberHash(email);
    }

    static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + " (" + lastOffsets + ")");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    /** A condition that may throw (reads a topic), for {@link #await}. */
    interface Check {
        boolean holds() throws Exception;
    }

    static BooleanSupplier unchecked(Check check) {
        return () -> {
            try {
                return check.holds();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }

    @Override
    public void close() {
        producer.close();
        sim.close();
        kafka.close();
    }
}
