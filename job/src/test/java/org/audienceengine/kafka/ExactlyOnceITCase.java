package org.audienceengine.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import org.audienceengine.cli.CommandLineRun;
import org.audienceengine.config.EngineConfig;
import org.audienceengine.live.LiveJob;
import org.audienceengine.testutils.EventRecords;
import org.audienceengine.testutils.SampleLines;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The live job end to end on a real (in-process) Kafka broker, in the shape of Flink's
 * KafkaSinkITCase: batches from a slice of the sample go through the job in event time with a
 * bounded source, while the job is failed three times after completed checkpoints — twice in
 * front of ingest at different points of the input, once in the middle of writing the deltas.
 * A read_committed consumer must then see every delta and dead letter exactly once, each user's
 * deltas in seq order, and the same deltas as a replay of the same lines.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ExactlyOnceITCase {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String AUDIENCES = "../conf/audiences.json";
    private static final int PARTITIONS = 4;
    private static final int PARALLELISM = 2;
    /** The first thousand lines (bad lines 456 and 909) and the binary garbage of line 1355. */
    private static final int SLICE_LINES = 1000;
    private static final int GARBAGE_LINE = 1355;

    @TempDir
    static Path dir;

    static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() throws IOException {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void everyDeltaAndDeadLetterExactlyOnceAcrossFailures() throws Exception {
        List<byte[]> lines = sampleSlice();
        Path slice = dir.resolve("slice.jsonl");
        writeLines(slice, lines);
        Path replay = dir.resolve("replay");
        CommandLineRun run = CommandLineRun.of("replay", "--events", slice.toString(), "--audiences", AUDIENCES,
                "--out", replay.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<JsonNode> expectedDeltas = readJsonLines(replay.resolve("deltas.jsonl"));
        List<JsonNode> expectedDeadLetters = readJsonLines(replay.resolve("dlq.jsonl"));
        assertThat(expectedDeltas).hasSizeGreaterThan(50);
        assertThat(expectedDeadLetters).hasSize(3);

        EngineConfig config = EngineConfig.defaults().with(Map.of(
                EngineConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers(),
                EngineConfig.TIME_MODE, "event",
                EngineConfig.CHECKPOINT_INTERVAL, "200ms",
                EngineConfig.CHECKPOINT_DIR, dir.resolve("checkpoints").toUri().toString(),
                EngineConfig.TRANSACTION_TIMEOUT, "2m",
                EngineConfig.PARALLELISM, Integer.toString(PARALLELISM)));
        kafka.createTopics(PARTITIONS, config.eventsTopic(), config.deltasTopic(), config.deadLettersTopic(),
                config.definitionsTopic(), config.dsrRequestsTopic(), config.dsrCompletionsTopic());

        // The input goes in three stages, so that the job is known to be waiting for more when a
        // failure is armed; the source ends where the last stage ends.
        // In event time each partition's time follows its record timestamps: batch times, in order.
        List<ProducerRecord<byte[], byte[]>> records = EventRecords.timeOrdered(config.eventsTopic(), lines, PARTITIONS);
        Map<TopicPartition, Long> ends = new HashMap<>();
        for (ProducerRecord<byte[], byte[]> record : records) {
            ends.merge(new TopicPartition(config.eventsTopic(), record.partition()), 1L, Long::sum);
        }
        int third = records.size() / 3;

        InjectedFailures.reset();
        Configuration flink = new Configuration();
        flink.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        flink.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 5);
        flink.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(PARALLELISM, flink);
        LiveJob.build(env, config, Files.readString(Path.of(AUDIENCES)), LiveJob.Options.unbounded()
                .boundedAt(OffsetsInitializer.offsets(ends))
                .beforeIngest(s -> s.map(new InjectedFailures.Records()).uid("test-fail-records").name("Fail records"))
                .beforeDeltasSink(s -> s.map(new InjectedFailures.Deltas()).uid("test-fail-deltas").name("Fail deltas")));

        JobClient job = null;
        Future<?> result = null;
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            produce(producer, records.subList(0, third));
            job = env.executeAsync("exactly-once test");
            result = job.getJobExecutionResult();

            Future<?> running = result;
            InjectedFailures.await("a checkpoint after the first stage",
                    () -> InjectedFailures.Records.LAST_CHECKPOINTED_ATTEMPT.get() >= 0, running::isDone, Duration.ofSeconds(60));
            InjectedFailures.Records.ARMED.set(true);
            produce(producer, records.subList(third, 2 * third));
            InjectedFailures.await("the first failure and a checkpoint after it",
                    () -> InjectedFailures.Records.FAILED_AT.size() == 1
                            && InjectedFailures.Records.LAST_CHECKPOINTED_ATTEMPT.get() >= 1,
                    running::isDone, Duration.ofSeconds(60));

            InjectedFailures.Records.ARMED.set(true);
            InjectedFailures.Deltas.FAIL_AT.set(Math.max(1, expectedDeltas.size() / 8));
            produce(producer, records.subList(2 * third, records.size()));
            result.get(2, TimeUnit.MINUTES);
        } finally {
            // A job left running would keep the mini cluster, and so the test JVM, alive.
            if (result != null && !result.isDone()) {
                job.cancel().get(30, TimeUnit.SECONDS);
            }
        }

        assertThat(InjectedFailures.Records.FAILED_AT).as("failures in front of ingest").hasSize(2).doesNotHaveDuplicates();
        assertThat(InjectedFailures.Deltas.FAILURES.get()).as("failures while writing deltas").isEqualTo(1);
        assertThat(InjectedFailures.Deltas.SEEN.get()).as("deltas were written again after the failure")
                .isGreaterThan(expectedDeltas.size());

        Map<Integer, List<JsonNode>> deltasByPartition = TopicReader.readCommitted(kafka.bootstrapServers(), config.deltasTopic());
        List<JsonNode> deltas = deltasByPartition.values().stream().flatMap(List::stream).toList();
        Set<String> ids = new HashSet<>();
        for (JsonNode d : deltas) {
            assertThat(ids.add(d.get("delta_id").asText())).as("delivered once: %s", d).isTrue();
        }
        assertSeqInOrderPerUser(deltasByPartition);
        assertThat(new HashSet<>(deltas)).as("the replay's deltas").isEqualTo(new HashSet<>(expectedDeltas));
        assertThat(deltas).hasSameSizeAs(expectedDeltas);

        List<JsonNode> deadLetters = TopicReader.readCommitted(kafka.bootstrapServers(), config.deadLettersTopic())
                .values().stream().flatMap(List::stream).toList();
        assertThat(deadLetters.stream().map(ExactlyOnceITCase::withoutSource).toList())
                .as("each bad line dead-lettered once")
                .containsExactlyInAnyOrderElementsOf(expectedDeadLetters.stream().map(ExactlyOnceITCase::withoutSource).toList());
        for (JsonNode letter : deadLetters) {
            assertThat(letter.path("source").path("topic").asText()).isEqualTo(config.eventsTopic());
            assertThat(letter.path("source").path("offset").isNumber()).isTrue();
        }
    }

    /** Per partition in log order: each (audience, mpid, profile) counts 1, 2, 3… from add. */
    private static void assertSeqInOrderPerUser(Map<Integer, List<JsonNode>> byPartition) {
        Map<Long, Integer> partitionOfUser = new HashMap<>();
        for (Map.Entry<Integer, List<JsonNode>> partition : byPartition.entrySet()) {
            Map<String, Integer> lastSeq = new HashMap<>();
            for (JsonNode d : partition.getValue()) {
                long mpid = d.get("mpid").asLong();
                assertThat(partitionOfUser.computeIfAbsent(mpid, m -> partition.getKey()))
                        .as("all deltas of mpid %d in one partition", mpid).isEqualTo(partition.getKey());
                String pair = d.get("audience_id").asText() + ":" + mpid + ":" + d.get("profile_created_at").asText();
                int expected = lastSeq.getOrDefault(pair, 0) + 1;
                assertThat(d.get("seq").asInt()).as("seq of %s", d).isEqualTo(expected);
                assertThat(d.get("action").asText()).isEqualTo(expected % 2 == 1 ? "add" : "remove");
                lastSeq.put(pair, expected);
            }
        }
    }

    /** Replay names a file and line, Kafka a topic, partition and offset: compare the rest. */
    private static JsonNode withoutSource(JsonNode letter) {
        ObjectNode copy = letter.deepCopy();
        copy.remove("source");
        return copy;
    }

    /** The slice as bytes (line 1355 is not UTF-8), as the replay reader splits them. */
    private static List<byte[]> sampleSlice() throws IOException {
        return SampleLines.lines(number -> number <= SLICE_LINES || number == GARBAGE_LINE);
    }

    private static void writeLines(Path file, List<byte[]> lines) throws IOException {
        SampleLines.write(file, lines);
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static void produce(KafkaProducer<byte[], byte[]> producer, List<ProducerRecord<byte[], byte[]>> records)
            throws Exception {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (ProducerRecord<byte[], byte[]> record : records) {
            sent.add(producer.send(record));
        }
        producer.flush();
        for (Future<RecordMetadata> f : sent) {
            f.get(30, TimeUnit.SECONDS);
        }
    }

    private static List<JsonNode> readJsonLines(Path file) throws IOException {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            nodes.add(MAPPER.readTree(line));
        }
        return nodes;
    }
}
