package org.audienceengine.tools;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
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

import org.audienceengine.config.EngineConfig;
import org.audienceengine.ingest.BatchParser;
import org.audienceengine.kafka.EmbeddedKafka;
import org.audienceengine.live.LiveJob;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A savepoint and a retained checkpoint of the live job in event time, taken once every delta of
 * the input is committed: the first lines of the sample, in batch-time order over two partitions,
 * then a record on each partition a day after the last batch, so that event time passes every
 * expiry. Alongside, {@code replay} of the same lines up to that time: the memberships the
 * state must hold.
 */
record LiveSavepoint(Path savepoint, Path checkpoint, Path replay, Path events, long time) {
    static final Path SAMPLE = Path.of("../conf/sample/events.jsonl");
    static final Path AUDIENCES = Path.of("../conf/audiences.json");
    private static final int PARTITIONS = 2;
    private static final long DAY = 86_400_000L;

    static LiveSavepoint take(Path dir, int lines) throws Exception {
        // Bytes, not text: the sample's bad lines include some that are not UTF-8.
        List<byte[]> slice = new ArrayList<>();
        byte[] all = Files.readAllBytes(SAMPLE);
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        for (int start = 0, i = 0; i < all.length && slice.size() < lines; i++) {
            if (all[i] == '\n') {
                slice.add(Arrays.copyOfRange(all, start, i));
                written.write(all, start, i + 1 - start);
                start = i + 1;
            }
        }
        Path events = dir.resolve("events.jsonl");
        Files.write(events, written.toByteArray());
        List<ProducerRecord<byte[], byte[]>> records = timeOrdered(slice);
        long end = records.get(records.size() - 1).timestamp() + DAY;
        // The watermark is the newest timestamp less 1: the job reaches end - 1.
        long time = end - 1;
        Path replay = dir.resolve("replay");
        assertThat(org.audienceengine.cli.Main.run("replay", "--events", events.toString(), "--audiences",
                AUDIENCES.toString(), "--until", Long.toString(time), "--out", replay.toString())).isZero();
        long expected;
        try (Stream<String> deltas = Files.lines(replay.resolve("deltas.jsonl"))) {
            expected = deltas.count();
        }
        assertThat(expected).isGreaterThan(100);

        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            EngineConfig config = EngineConfig.defaults().with(Map.of(
                    EngineConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers(),
                    EngineConfig.TIME_MODE, "event",
                    EngineConfig.CHECKPOINT_INTERVAL, "300ms",
                    EngineConfig.CHECKPOINT_DIR, dir.resolve("checkpoints").toUri().toString(),
                    EngineConfig.TRANSACTION_TIMEOUT, "2m",
                    EngineConfig.PARALLELISM, "2"));
            kafka.createTopics(PARTITIONS, config.eventsTopic(), config.deltasTopic(), config.deadLettersTopic(),
                    config.definitionsTopic(), config.dsrRequestsTopic(), config.dsrCompletionsTopic());
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                for (ProducerRecord<byte[], byte[]> r : records) {
                    producer.send(new ProducerRecord<>(config.eventsTopic(), r.partition(), r.timestamp(), r.key(), r.value()));
                }
                for (int p = 0; p < PARTITIONS; p++) {
                    producer.send(new ProducerRecord<>(config.eventsTopic(), p, end, null, "tick".getBytes(StandardCharsets.UTF_8)));
                }
                producer.flush();
            }
            Configuration flink = new Configuration();
            flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, flink);
            LiveJob.build(env, config, Files.readString(AUDIENCES));
            JobClient job = env.executeAsync("state tools fixture");
            awaitCommitted(kafka.bootstrapServers(), config.deltasTopic(), expected);
            Path savepoint = Path.of(java.net.URI.create(job.triggerSavepoint(
                    dir.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL).get()));
            // Cancelled, the job keeps its latest checkpoint, taken with no input after the deltas.
            job.cancel().get();
            Path checkpoint;
            try (Stream<Path> found = Files.find(dir.resolve("checkpoints"), 3,
                    (p, attributes) -> p.getFileName().toString().startsWith("chk-") && Files.exists(p.resolve("_metadata")))) {
                checkpoint = found.max(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString().substring(4))))
                        .orElseThrow();
            }
            return new LiveSavepoint(savepoint, checkpoint, replay, events, time);
        }
    }

    /** Records stamped with their batch time, a user's on one partition, in time order. */
    private static List<ProducerRecord<byte[], byte[]>> timeOrdered(List<byte[]> lines) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        long latest = 0;
        for (int i = 0; i < lines.size(); i++) {
            byte[] line = lines.get(i);
            BatchParser.Result parsed = BatchParser.parse(line, null);
            String key = parsed.ok() ? Long.toString(parsed.batch().mpid) : "line-" + i;
            long time = parsed.ok() ? parsed.batch().batchTime : latest;
            latest = Math.max(latest, time);
            records.add(new ProducerRecord<>("events", Math.floorMod(key.hashCode(), PARTITIONS), time,
                    key.getBytes(StandardCharsets.UTF_8), line));
        }
        records.sort(Comparator.comparingLong(ProducerRecord::timestamp));
        return records;
    }

    private static void awaitCommitted(String bootstrap, String topic, long expected) throws Exception {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.GROUP_ID_CONFIG, "fixture",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long seen = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (seen < expected) {
                assertThat(System.nanoTime()).as("%s of %s deltas committed", seen, expected).isLessThan(deadline);
                for (ConsumerRecord<byte[], byte[]> ignored : consumer.poll(Duration.ofMillis(500))) {
                    seen++;
                }
            }
            assertThat(seen).isEqualTo(expected);
        }
    }
}
