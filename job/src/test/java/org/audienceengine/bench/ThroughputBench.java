package org.audienceengine.bench;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import org.audienceengine.config.EngineConfig;
import org.audienceengine.ingest.RawRecord;
import org.audienceengine.job.FlinkDefaults;
import org.audienceengine.kafka.EmbeddedKafka;
import org.audienceengine.live.LiveJob;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * Batches per second of the live job against the bare keyed pipeline ({@link BarePipeline}) on the
 * same input, in one process: a broker, N batches on its events topic, then runs alternated
 * (bare, engine, bare, engine, …), each a bounded run of the whole topic on a local cluster with
 * RocksDB and exactly-once checkpoints. A run's rate counts from its fifth of the batches read to
 * the last (so job start-up, JIT warm-up and the final commit are left out); each pair gives a
 * ratio, and the median ratio with its min and max is what holds on a noisy machine.
 *
 * <p>{@code bench/run throughput [key=value ...]}: users, batches, audiences (a count, or 19 for
 * the shipped set), pairs, parallelism, checkpoint (e.g. 5s), engine-only (true: no bare runs, for profiling),
 * peer (sql: each pair also runs {@link SqlPeer}, and both it and the engine evaluate its four audiences;
 * io: each pair also runs {@link IoMatchedPipeline} with as many deltas per batch as the engine wrote;
 * io-parts: which of its index, timer and deltas it has, to split its cost; io-profile-bytes: the
 * size of its value per user, by default the engine's mean profile at 100 audiences, or at 1,000
 * when the set has 1,000 or more),
 * time (processing, or event: the batches' 30 days pass in event time, so window edges fire as in
 * {@code replay} of the same batches; in processing time they lie after the run), timers (rocksdb, or
 * heap: Flink keeps the timers on the heap beside RocksDB, {@code state.backend.rocksdb.timer-service.factory}).
 */
public final class ThroughputBench {
    private static final AtomicLong FIRST = new AtomicLong();
    private static final AtomicLong LAST = new AtomicLong();
    private static final AtomicLong SEEN = new AtomicLong();
    private static volatile long warmUp;
    private static final List<String> CHECKPOINTS = new ArrayList<>();
    private static final List<String> CPU = new ArrayList<>();
    /** The latest run's CPU accounting of its measured window. */
    private static CpuAccounting.Window lastCpu;
    private enum Pipeline { BARE, ENGINE, SQL_PEER, IO_MATCHED }

    private ThroughputBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = StepBench.options(args, Map.ofEntries(
                Map.entry("users", "100000"),
                Map.entry("batches", "200000"),
                Map.entry("audiences", "100"),
                Map.entry("pairs", "2"),
                Map.entry("parallelism", "1"),
                Map.entry("checkpoint", "5s"),
                Map.entry("engine-only", "false"),
                Map.entry("peer", "none"),
                Map.entry("savepoint", ""),
                Map.entry("time", "processing"),
                Map.entry("timers", "rocksdb"),
                Map.entry("io-parts", "index,timer,deltas"),
                Map.entry("io-profile-bytes", "")));
        int users = Integer.parseInt(opts.get("users"));
        int batches = Integer.parseInt(opts.get("batches"));
        int pairs = Integer.parseInt(opts.get("pairs"));
        boolean sql = opts.get("peer").equals("sql");
        boolean io = opts.get("peer").equals("io");
        String definitions = sql ? SqlPeer.DEFINITIONS : StepBench.document(opts.get("audiences"));
        Path dir = Files.createTempDirectory("throughput-bench");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(2, "bench-events");
            long loading = System.nanoTime();
            produce(kafka.bootstrapServers(), users, batches);
            System.out.printf("%,d batches of %,d users on the events topic in %.1f s; %s audiences, p=%s, checkpoints every %s, %s time%n",
                    batches, users, (System.nanoTime() - loading) / 1e9, sql ? "the SQL peer's 4" : opts.get("audiences"),
                    opts.get("parallelism"),
                    opts.get("checkpoint"), opts.get("time"));
            List<Double> ratios = new ArrayList<>();
            List<Double> perCore = new ArrayList<>();
            List<Double> toIo = new ArrayList<>();
            List<Double> toIoPerCore = new ArrayList<>();
            String columns = "| pair | bare batches/s | engine batches/s | engine / bare |"
                    + (sql ? " Flink SQL peer batches/s | SQL peer / engine |" : "")
                    + (io ? " deltas per batch | I/O-matched bare batches/s | engine / I/O-matched |" : "");
            System.out.println(columns);
            System.out.println("|---".repeat(columns.split("\\|", -1).length - 2) + "|");
            for (int pair = 1; pair <= pairs; pair++) {
                double bare = Boolean.parseBoolean(opts.get("engine-only")) ? Double.NaN : run(kafka, dir, opts, "bare-" + pair, Pipeline.BARE, null, null, batches);
                double bareCore = Double.isNaN(bare) ? Double.NaN : lastCpu.batchesPerCoreSecond();
                double engine = run(kafka, dir, opts, "engine-" + pair, Pipeline.ENGINE, definitions, null, batches);
                double engineCore = lastCpu.batchesPerCoreSecond();
                ratios.add(engine / bare);
                perCore.add(engineCore / bareCore);
                System.out.printf("| %d | %,.0f | %,.0f | %.3f |", pair, bare, engine, engine / bare);
                if (sql) {
                    double peer = run(kafka, dir, opts, "sql-" + pair, Pipeline.SQL_PEER, null, null, batches);
                    System.out.printf(" %,.0f | %.3f |", peer, peer / engine);
                }
                if (io) {
                    TopicVolume written = TopicVolume.of(kafka.bootstrapServers(), "bench-deltas-engine-" + pair);
                    double matched = run(kafka, dir, opts, "io-" + pair, Pipeline.IO_MATCHED, null, written, batches);
                    toIo.add(engine / matched);
                    toIoPerCore.add(engineCore / lastCpu.batchesPerCoreSecond());
                    System.out.printf(" %.2f (%,d B) | %,.0f | %.3f |", (double) written.records() / batches,
                            written.meanBytes(), matched, engine / matched);
                }
                System.out.println();
            }
            System.out.println("Checkpoints, by run: " + String.join("; ", CHECKPOINTS));
            System.out.println("CPU in the measured window, by run: " + String.join("; ", CPU));
            System.out.println("engine / bare: " + spread(ratios));
            System.out.println("engine / bare per CPU-second of the job: " + spread(perCore));
            if (io) {
                System.out.println("engine / I/O-matched bare: " + spread(toIo));
                System.out.println("engine / I/O-matched bare per CPU-second of the job: " + spread(toIoPerCore));
            }
        }
    }

    /** The I/O-matched value per user: as given, else the engine's mean profile for a set of that size. */
    private static int ioProfileBytes(Map<String, String> opts) {
        if (!opts.get("io-profile-bytes").isEmpty()) {
            return Integer.parseInt(opts.get("io-profile-bytes"));
        }
        String audiences = opts.get("audiences").split("/")[0];
        return audiences.matches("[0-9]+") && Integer.parseInt(audiences) >= 1_000
                ? IoMatchedPipeline.PROFILE_BYTES_1000 : IoMatchedPipeline.PROFILE_BYTES;
    }

    private static String spread(List<Double> ratios) {
        List<Double> sorted = new ArrayList<>(ratios);
        sorted.sort(Double::compare);
        int n = sorted.size();
        double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        return String.format("median %.3f, min %.3f, max %.3f", median, sorted.get(0), sorted.get(n - 1));
    }

    private static void produce(String bootstrap, int users, int batches) throws Exception {
        BenchBatches source = new BenchBatches(users, batches, System.currentTimeMillis(), 30L * 86_400_000, 11);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < batches; i++) {
                producer.send(new ProducerRecord<>("bench-events", source.next()));
            }
            producer.flush();
        }
    }

    /** One bounded run over the whole topic; the rate from its first batch read to its last. */
    private static double run(EmbeddedKafka kafka, Path dir, Map<String, String> opts, String name, Pipeline pipeline,
            String definitions, TopicVolume engineOutput, int batches) throws Exception {
        EngineConfig config = EngineConfig.defaults().with(Map.of(
                EngineConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers(),
                EngineConfig.TIME_MODE, opts.get("time"),
                EngineConfig.CHECKPOINT_INTERVAL, opts.get("checkpoint"),
                EngineConfig.CHECKPOINT_DIR, dir.resolve(name).toUri().toString(),
                EngineConfig.PARALLELISM, opts.get("parallelism"),
                EngineConfig.GROUP_ID, "bench-" + name,
                EngineConfig.TRANSACTIONAL_ID_PREFIX, "bench-" + name,
                EngineConfig.TOPIC_EVENTS, "bench-events",
                EngineConfig.TOPIC_DELTAS, "bench-deltas-" + name,
                EngineConfig.TOPIC_DEAD_LETTERS, "bench-dlq-" + name));
        kafka.createTopics(2, config.deltasTopic(), config.deadLettersTopic(), config.definitionsTopic(),
                config.dsrRequestsTopic(), config.dsrCompletionsTopic());
        Configuration cluster = FlinkDefaults.boundedRunConfiguration();
        // RocksDB's share, as a TaskManager of a 24 GiB box would give it.
        cluster.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("1g"));
        cluster.set(RocksDBOptions.TIMER_SERVICE_FACTORY,
                EmbeddedRocksDBStateBackend.PriorityQueueStateType.valueOf(opts.get("timers").toUpperCase(java.util.Locale.ROOT)));
        String rest = CheckpointStats.enableRest(cluster);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(
                Integer.parseInt(opts.get("parallelism")), cluster);
        FIRST.set(0);
        SEEN.set(0);
        warmUp = batches / 5;
        UnaryOperator<DataStream<RawRecord>> timed = s -> s.map(ThroughputBench::seen).uid("bench-timing").name("Bench: timing");
        if (pipeline == Pipeline.SQL_PEER) {
            configureBaseline(env, config);
            // The planner's operators carry no uids of their own (a SQL job's state is bound to its plan).
            Configuration generated = new Configuration();
            generated.set(PipelineOptions.AUTO_GENERATE_UIDS, true);
            env.configure(generated);
            SqlPeer.build(env, config, "bench-deltas-" + name, timed);
        } else if (pipeline == Pipeline.IO_MATCHED) {
            configureBaseline(env, config);
            List<String> parts = List.of(opts.get("io-parts").split(","));
            IoMatchedPipeline.build(env, config, "bench-deltas-" + name, timed,
                    parts.contains("deltas") ? (double) engineOutput.records() / batches : 0, engineOutput.meanBytes(),
                    ioProfileBytes(opts), parts.contains("index"), parts.contains("timer"));
        } else if (pipeline == Pipeline.BARE) {
            configureBaseline(env, config);
            BarePipeline.build(env, config, "bench-deltas-" + name, timed);
        } else if (!opts.get("savepoint").isEmpty()) {
            // Runs on past the input, to be savepointed (for the state tools' benchmark).
            LiveJob.build(env, config, definitions, LiveJob.Options.unbounded().beforeIngest(timed));
        } else {
            LiveJob.build(env, config, definitions,
                    LiveJob.Options.unbounded().boundedAt(OffsetsInitializer.latest()).beforeIngest(timed));
        }
        CpuAccounting cpu = CpuAccounting.follow(SEEN::get);
        JobClient job = env.executeAsync("bench " + name);
        try (cpu; CheckpointStats checkpoints = CheckpointStats.follow(rest, job)) {
            if (pipeline == Pipeline.ENGINE && !opts.get("savepoint").isEmpty()) {
                while (SEEN.get() < batches) {
                    Thread.sleep(200);
                }
                String path = job.triggerSavepoint(Path.of(opts.get("savepoint")).toAbsolutePath().toUri().toString(),
                        org.apache.flink.core.execution.SavepointFormatType.CANONICAL).get();
                System.out.println("savepoint of " + name + ": " + path);
                job.cancel().get();
            } else {
                job.getJobExecutionResult().get();
            }
            CHECKPOINTS.add(name + ": " + checkpoints.summary());
            lastCpu = cpu.window(warmUp, batches);
            CPU.add(name + ": " + lastCpu.summary());
        }
        if (SEEN.get() != batches) {
            throw new IllegalStateException(name + " read " + SEEN.get() + " batches, not " + batches);
        }
        return (batches - warmUp) / ((LAST.get() - FIRST.get()) / 1e9);
    }

    /** The live job's checkpointing and state backend, for the pipelines it is compared with. */
    private static void configureBaseline(StreamExecutionEnvironment env, EngineConfig config) {
        Configuration job = FlinkDefaults.engineConfiguration();
        job.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        job.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, config.checkpointDir());
        env.configure(job);
        env.enableCheckpointing(config.checkpointIntervalMs());
    }

    private static RawRecord seen(RawRecord record) {
        long now = System.nanoTime();
        if (SEEN.incrementAndGet() == warmUp) {
            FIRST.set(now);
        }
        LAST.set(now);
        return record;
    }
}
