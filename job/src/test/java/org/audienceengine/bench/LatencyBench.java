package org.audienceengine.bench;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import org.audienceengine.config.EngineConfig;
import org.audienceengine.deltas.DeltaJson;
import org.audienceengine.deltas.MembershipDelta;
import org.audienceengine.job.FlinkDefaults;
import org.audienceengine.kafka.EmbeddedKafka;
import org.audienceengine.live.LiveJob;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Batch → delta committed on Kafka: the live job (processing time, p=1, checkpoints every second)
 * fed at a fixed rate, its deltas read back read_committed. A criteria delta's latency is from the
 * send of the user's latest batch at or before the delta's effective_at (the batch that caused it)
 * to the moment the committed delta is read. Batches of the first quarter of the run are not
 * timed (JIT warm-up). Beside it, every audience is connected to a webhook partner (a plain HTTP
 * server here, {@link WebhookReceiver}): batch → partner call is the same cause to the moment the
 * call carrying the delta arrived.
 *
 * <p>{@code bench/run latency [rate=8000] [seconds=60] [users=100000] [audiences=100] [checkpoint=1s]}.
 */
public final class LatencyBench {
    private LatencyBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = StepBench.options(args, Map.of("rate", "8000", "seconds", "60", "users", "100000",
                "audiences", "100", "checkpoint", "1s"));
        int rate = Integer.parseInt(opts.get("rate"));
        int seconds = Integer.parseInt(opts.get("seconds"));
        int users = Integer.parseInt(opts.get("users"));
        Path dir = Files.createTempDirectory("latency-bench");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); WebhookReceiver partner = new WebhookReceiver()) {
            EngineConfig config = EngineConfig.defaults().with(Map.of(
                    EngineConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers(),
                    EngineConfig.TIME_MODE, "processing",
                    EngineConfig.CHECKPOINT_INTERVAL, opts.get("checkpoint"),
                    EngineConfig.CHECKPOINT_DIR, dir.resolve("checkpoints").toUri().toString(),
                    EngineConfig.PARALLELISM, "1"));
            kafka.createTopics(2, config.eventsTopic(), config.deltasTopic(), config.deadLettersTopic(),
                    config.definitionsTopic(), config.dsrRequestsTopic(), config.dsrCompletionsTopic(),
                    config.connectionControlTopic(), config.deliveryDeadLettersTopic());
            Configuration cluster = FlinkDefaults.engineConfiguration();
            cluster.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("1g"));
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, cluster);
            LiveJob.build(env, config, StepBench.document(opts.get("audiences")), LiveJob.Options.unbounded()
                    .withConnections(partner.connections(dir, Integer.parseInt(opts.get("audiences")))));
            JobClient job = env.executeAsync("latency bench");

            Map<Long, List<Long>> sent = new ConcurrentHashMap<>();
            Map<String, Long> causes = new ConcurrentHashMap<>();
            List<Long> latencies = new ArrayList<>();
            AtomicBoolean reading = new AtomicBoolean(true);
            long timedFrom = System.currentTimeMillis() + seconds * 250L;
            Thread reader = new Thread(() -> read(config, sent, causes, latencies, reading, timedFrom), "latency-reader");
            reader.start();
            BenchBatches source = new BenchBatches(users, (long) rate * seconds, System.currentTimeMillis(),
                    7L * 86_400_000, 11);
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), ProducerConfig.LINGER_MS_CONFIG, 5),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                long start = System.nanoTime();
                for (long i = 0; i < (long) rate * seconds; i++) {
                    long due = start + i * 1_000_000_000L / rate;
                    long ahead = due - System.nanoTime();
                    if (ahead > 0) {
                        // Sleep, not spin: the producer must not take a core from the job.
                        java.util.concurrent.locks.LockSupport.parkNanos(ahead);
                    }
                    byte[] batch = source.next();
                    sent.computeIfAbsent(source.lastMpid(), k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                            .add(System.currentTimeMillis());
                    producer.send(new ProducerRecord<>(config.eventsTopic(), batch));
                }
            }
            Thread.sleep(5_000);
            reading.set(false);
            reader.join();
            if (job.getJobStatus().get().isGloballyTerminalState()) {
                job.getJobExecutionResult().get();
                throw new IllegalStateException("the job ended before the run did");
            }
            job.cancel().get();
            List<Long> toPartner = new ArrayList<>();
            causes.forEach((deltaId, cause) -> {
                Long arrived = partner.arrivedAt(deltaId);
                if (arrived != null) {
                    toPartner.add(arrived - cause);
                }
            });
            toPartner.sort(Long::compare);
            synchronized (latencies) {
                latencies.sort(Long::compare);
                int n = latencies.size();
                if (n == 0) {
                    throw new IllegalStateException("no committed criteria deltas were read");
                }
                int m = toPartner.size();
                if (m == 0) {
                    throw new IllegalStateException("no timed delta reached the partner");
                }
                System.out.println("| rate batches/s | checkpoint | to | deltas timed | p50 ms | p99 ms | max ms |");
                System.out.println("|---|---|---|---|---|---|---|");
                System.out.printf("| %,d | %s | Kafka (committed) | %,d | %d | %d | %d |%n", rate, opts.get("checkpoint"), n,
                        latencies.get(n / 2), latencies.get((int) (n * 0.99)), latencies.get(n - 1));
                System.out.printf("| %,d | %s | partner call | %,d of %,d | %d | %d | %d |%n", rate, opts.get("checkpoint"),
                        m, causes.size(), toPartner.get(m / 2), toPartner.get((int) (m * 0.99)), toPartner.get(m - 1));
            }
        }
        // The cancelled job's HTTP client threads outlive it in this process; the figures are out.
        System.exit(0);
    }

    private static void read(EngineConfig config, Map<Long, List<Long>> sent, Map<String, Long> causes,
            List<Long> latencies, AtomicBoolean reading, long timedFrom) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "latency-bench",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(config.deltasTopic()));
            while (reading.get()) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                    long now = System.currentTimeMillis();
                    MembershipDelta d = DeltaJson.fromJson(r.value());
                    List<Long> times = sent.get(d.mpid);
                    if (!"criteria".equals(d.reason) || times == null) {
                        continue;
                    }
                    long cause = Long.MIN_VALUE;
                    for (long t : times) {
                        if (t <= d.effectiveAt) {
                            cause = Math.max(cause, t);
                        }
                    }
                    if (cause >= timedFrom) {
                        causes.put(d.deltaId, cause);
                        synchronized (latencies) {
                            latencies.add(now - cause);
                        }
                    }
                }
            }
        }
    }
}
