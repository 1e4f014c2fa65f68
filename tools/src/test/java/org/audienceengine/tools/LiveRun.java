package org.audienceengine.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import org.audienceengine.cli.Main;
import org.audienceengine.config.EngineConfig;
import org.audienceengine.kafka.EmbeddedKafka;
import org.audienceengine.live.LiveJob;
import org.audienceengine.testutils.EventRecords;
import org.audienceengine.testutils.SampleLines;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The live job on an in-process broker and Flink, by default in event time and fed the sample's
 * lines as a producer in batch-time order would send them, with the replays its runs are checked
 * against.
 */
final class LiveRun implements AutoCloseable {
    static final Path AUDIENCES = Path.of("../conf/audiences.json");
    static final int PARTITIONS = 2;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final EmbeddedKafka kafka;
    final EngineConfig config;

    LiveRun(Path dir) throws Exception {
        this(dir, "event");
    }

    LiveRun(Path dir, String timeMode) throws Exception {
        kafka = EmbeddedKafka.start();
        config = EngineConfig.defaults().with(Map.of(
                EngineConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers(),
                EngineConfig.TIME_MODE, timeMode,
                EngineConfig.CHECKPOINT_INTERVAL, "300ms",
                EngineConfig.CHECKPOINT_DIR, dir.resolve("checkpoints").toUri().toString(),
                EngineConfig.TRANSACTION_TIMEOUT, "2m",
                EngineConfig.PARALLELISM, "2"));
        kafka.createTopics(PARTITIONS, config.eventsTopic(), config.deltasTopic(), config.deadLettersTopic(),
                config.definitionsTopic(), config.dsrRequestsTopic(), config.dsrCompletionsTopic());
    }

    /** The sample's first lines, as bytes: its bad lines include some that are not UTF-8. */
    static List<byte[]> sample(int lines) throws Exception {
        return SampleLines.lines(number -> number <= lines);
    }

    /** Records stamped with their batch time, a user's on one partition, in time order (stable: ties keep line order). */
    static List<ProducerRecord<byte[], byte[]>> timeOrdered(List<byte[]> lines) {
        return EventRecords.timeOrdered("events", lines, PARTITIONS);
    }

    /** The records' lines as a JSON Lines file, in the records' order. */
    static Path write(Path file, List<ProducerRecord<byte[], byte[]>> records) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ProducerRecord<byte[], byte[]> r : records) {
            out.write(r.value());
            out.write('\n');
        }
        return Files.write(file, out.toByteArray());
    }

    /** Replay of the file up to {@code until}: its deltas, with members.csv and the rest in {@code out}. */
    static List<JsonNode> replay(Path events, Path audiences, long until, Path out) throws Exception {
        assertThat(Main.run("replay", "--events", events.toString(), "--audiences", audiences.toString(),
                "--until", Long.toString(until), "--out", out.toString())).isZero();
        List<JsonNode> deltas = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("deltas.jsonl"))) {
            deltas.add(MAPPER.readTree(line));
        }
        return deltas;
    }

    /** Sends the records, then one record per partition at {@code tick}, which moves event time to tick - 1. */
    void produce(List<ProducerRecord<byte[], byte[]>> records, long tick) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (ProducerRecord<byte[], byte[]> r : records) {
                producer.send(new ProducerRecord<>(config.eventsTopic(), r.partition(), r.timestamp(), r.key(), r.value()));
            }
            for (int p = 0; p < PARTITIONS; p++) {
                producer.send(new ProducerRecord<>(config.eventsTopic(), p, tick, null, "tick".getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
        }
    }

    /** Sends each value to the topic as it is (no key, the broker's time). */
    void send(String topic, String... values) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (String value : values) {
                producer.send(new ProducerRecord<>(topic, value.getBytes(StandardCharsets.UTF_8))).get();
            }
        }
    }

    JobClient start(String definitionsJson, Path savepoint) throws Exception {
        Configuration flink = new Configuration();
        flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        if (savepoint != null) {
            flink.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint.toUri().toString());
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, flink);
        LiveJob.build(env, config, definitionsJson);
        return env.executeAsync("event-time job");
    }

    static Path savepoint(JobClient job, Path dir) throws Exception {
        return Path.of(URI.create(job.triggerSavepoint(dir.toUri().toString(), SavepointFormatType.CANONICAL).get()));
    }

    /** Every delta committed so far, once there are {@code expected} (fails past three minutes). */
    List<JsonNode> awaitCommitted(long expected) throws Exception {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "reader-" + System.nanoTime(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(config.deltasTopic()));
            List<JsonNode> seen = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (seen.size() < expected) {
                assertThat(System.nanoTime()).as("%s of %s deltas committed", seen.size(), expected).isLessThan(deadline);
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    seen.add(MAPPER.readTree(r.value()));
                }
            }
            // Anything more (a delta twice, say) has been committed by now too.
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofSeconds(2))) {
                seen.add(MAPPER.readTree(r.value()));
            }
            return seen;
        }
    }

    @Override
    public void close() {
        kafka.close();
    }
}
