package org.audienceengine.live;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import org.audienceengine.config.EngineConfig;
import org.audienceengine.connectors.partnersim.PartnerSimulator;
import org.audienceengine.ingest.RawRecord;
import org.audienceengine.kafka.EmbeddedKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/**
 * Delivery in the live job: a partner that answers 401 faults its connection and the deltas are
 * held — across a job failure and restore from a checkpoint — until a control message resumes
 * the connection; then every one reaches the partner.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LiveDeliveryITCase {
    private static final String SECRET = "hook-secret-3b9e";
    private static final String DEFINITIONS = """
            {"audiences": [{"id": 7, "name": "pro", "criteria": {"user_attribute": {"name": "plan", "op": "equals", "value": "pro"}}}]}""";
    /** Fails the job once, in front of ingest, when armed. */
    static final AtomicBoolean FAIL_ONCE = new AtomicBoolean();
    static final AtomicInteger CHECKPOINTS = new AtomicInteger();

    @TempDir
    Path dir;

    @Test
    void heldDeltasSurviveARestoreAndAreDeliveredOnResume() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
                PartnerSimulator sim = PartnerSimulator.start(PartnerSimulator.Config.defaults()
                        .webhookSecret("hook", SECRET).faults("auth=1"))) {
            Path secret = Files.writeString(dir.resolve("hook.secret"), SECRET);
            String connections = "{\"connections\": [{\"id\": \"hook\", \"output\": \"webhook\", \"audiences\": [7],"
                    + " \"settings\": {\"url\": \"" + sim.webhookUrl("hook") + "\", \"secret\": {\"file\": \"" + secret + "\"},"
                    + " \"max_batch\": 5, \"max_wait_ms\": 50, \"initial_backoff_ms\": 20}}]}";
            EngineConfig config = EngineConfig.defaults().with(Map.of(
                    EngineConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers(),
                    EngineConfig.TIME_MODE, "processing",
                    EngineConfig.CHECKPOINT_INTERVAL, "300ms",
                    EngineConfig.CHECKPOINT_DIR, dir.resolve("checkpoints").toUri().toString(),
                    EngineConfig.TRANSACTION_TIMEOUT, "2m",
                    EngineConfig.PARALLELISM, "2"));
            kafka.createTopics(2, config.eventsTopic(), config.deltasTopic(), config.deadLettersTopic(),
                    config.definitionsTopic(), config.dsrRequestsTopic(), config.dsrCompletionsTopic(),
                    config.connectionControlTopic(), config.deliveryDeadLettersTopic());
            Configuration flink = new Configuration();
            flink.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            flink.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
            flink.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, flink);
            FAIL_ONCE.set(false);
            LiveJob.build(env, config, DEFINITIONS, LiveJob.Options.unbounded()
                    .withConnections(connections)
                    .beforeIngest(s -> s.map(new FailOnce()).uid("test-fail-once").name("Fail once")));

            JobClient job = env.executeAsync("live delivery test");
            try (KafkaProducer<byte[], byte[]> producer = producer(kafka.bootstrapServers())) {
                Set<Long> pro = LongStream.rangeClosed(1, 20).boxed().collect(Collectors.toSet());
                long now = System.currentTimeMillis();
                for (long mpid = 1; mpid <= 30; mpid++) {
                    send(producer, config.eventsTopic(), "{\"mpid\": " + mpid + ", \"timestamp_unixtime_ms\": " + now
                            + ", \"user_attributes\": {\"plan\": \"" + (pro.contains(mpid) ? "pro" : "free") + "\"}}");
                }
                // The partner refuses every call: the connection faults and holds the deltas.
                await(() -> sim.state().faults("auth") > 0, "calls refused");
                assertThat(sim.state().webhookMembers("hook", 7)).isEmpty();

                // Fail the job after checkpoints that hold the deltas; it restores and holds them again.
                int seen = CHECKPOINTS.get();
                await(() -> CHECKPOINTS.get() >= seen + 4, "checkpoints that hold the deltas");
                FAIL_ONCE.set(true);
                send(producer, config.eventsTopic(), "{\"mpid\": 999, \"timestamp_unixtime_ms\": " + now + "}");
                await(() -> !FAIL_ONCE.get(), "the injected failure");
                long refusedBefore = sim.state().faults("auth");
                await(() -> sim.state().faults("auth") > refusedBefore, "calls refused after the restore");
                assertThat(sim.state().webhookMembers("hook", 7)).isEmpty();

                // The partner takes calls again; a control message resumes the connection.
                sim.setFaults("none");
                send(producer, config.connectionControlTopic(), "{\"connection\": \"hook\", \"action\": \"resume\"}");
                await(() -> sim.state().webhookMembers("hook", 7).equals(pro), "every held delta delivered");
                assertThat(sim.state().webhookCount("hook", "out_of_order")).isZero();
                assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
            } finally {
                job.cancel().get();
            }
            // The secret is in no checkpoint file and no log line.
            try (var files = Files.walk(dir.resolve("checkpoints"))) {
                List<Path> all = files.filter(Files::isRegularFile).toList();
                assertThat(all).isNotEmpty();
                int read = 0;
                for (Path f : all) {
                    byte[] bytes;
                    try {
                        bytes = Files.readAllBytes(f);
                    } catch (java.nio.file.NoSuchFileException subsumed) {
                        continue; // an older checkpoint, cleaned up meanwhile
                    }
                    read++;
                    assertThat(new String(bytes, StandardCharsets.ISO_8859_1)).as(f.toString()).doesNotContain(SECRET);
                }
                assertThat(read).isPositive();
            }
            Path log = Path.of("target/test.log");
            assertThat(log).exists();
            assertThat(Files.readString(log, StandardCharsets.ISO_8859_1)).doesNotContain(SECRET);
        }
    }

    /** Fails the job once when armed, at the next record; counts completed checkpoints. */
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

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, String value) throws Exception {
        producer.send(new ProducerRecord<>(topic, value.getBytes(StandardCharsets.UTF_8))).get();
    }
}
