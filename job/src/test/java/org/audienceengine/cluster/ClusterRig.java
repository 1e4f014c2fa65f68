package org.audienceengine.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;


import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * A real standalone cluster for tests, started and driven through {@code bin/flink-cluster} the
 * way a user runs it (JobManager, TaskManagers and a Kafka broker as their own processes), in a
 * folder and on ports of its own. Batches go in with their batch time as the record timestamp,
 * so that a job in event time moves time the way replay does.
 */
final class ClusterRig implements AutoCloseable {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final int PARTITIONS = 4;

    final Path dir;
    final int restPort;
    final int kafkaPort;
    final int rpcPort;

    private ClusterRig(Path dir, int restPort, int kafkaPort, int rpcPort) {
        this.dir = dir;
        this.restPort = restPort;
        this.kafkaPort = kafkaPort;
        this.rpcPort = rpcPort;
    }

    /** On ports of its own, so that it runs beside a cluster or a local run on this machine. */
    static ClusterRig start(Path dir, int taskManagers) throws Exception {
        ClusterRig rig = new ClusterRig(dir, freePort(), freePort(), freePort());
        rig.script("start", "--taskmanagers", Integer.toString(taskManagers));
        return rig;
    }

    String bootstrapServers() {
        return "127.0.0.1:" + kafkaPort;
    }

    FlinkRest rest() {
        return new FlinkRest("http://127.0.0.1:" + restPort);
    }

    /** Runs {@code bin/flink-cluster ARGS}; fails the test unless it exits 0. Returns its output. */
    String script(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ROOT.resolve("bin/flink-cluster").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
        builder.environment().put("FLINK_CLUSTER_DIR", dir.toString());
        builder.environment().put("FLINK_REST_PORT", Integer.toString(restPort));
        builder.environment().put("KAFKA_PORT", Integer.toString(kafkaPort));
        builder.environment().put("FLINK_RPC_PORT", Integer.toString(rpcPort));
        builder.environment().put("AUDIENCE_ENGINE_NO_BUILD", "1");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("bin/flink-cluster %s ended", args[0]).isTrue();
        assertThat(process.exitValue()).as("bin/flink-cluster %s:%n%s", String.join(" ", args), output).isZero();
        return output;
    }

    String jobId() throws IOException {
        return Files.readString(dir.resolve("job.id")).strip();
    }

    long pidOf(String process) throws IOException {
        return Long.parseLong(Files.readString(dir.resolve("pids/" + process + ".pid")).strip());
    }

    /** The job's settings for one test: its own topics, group and transactions, event time. */
    static List<String> eventTimeJob(String name) {
        List<String> args = new ArrayList<>();
        for (String topic : List.of("events", "deltas", "dead-letters", "definitions", "dsr-requests",
                "dsr-completions")) {
            args.addAll(List.of("--topics." + topic, name + "-" + topic));
        }
        args.addAll(List.of("--kafka.group-id", name, "--kafka.transactional-id-prefix", name,
                "--time.mode", "event", "--checkpoint.interval", "1s", "--kafka.transaction-timeout", "2m",
                "--topics.partitions", Integer.toString(PARTITIONS)));
        return args;
    }

    /** One record per partition at {@code time}: every partition's time moves there. */
    static List<ProducerRecord<byte[], byte[]>> ticks(String topic, long time) {
        List<ProducerRecord<byte[], byte[]>> ticks = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            ticks.add(new ProducerRecord<>(topic, p, time, null, "tick".getBytes(StandardCharsets.UTF_8)));
        }
        return ticks;
    }

    void produce(List<ProducerRecord<byte[], byte[]>> records) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (ProducerRecord<byte[], byte[]> record : records) {
                producer.send(record);
            }
            producer.flush();
        }
    }

    /** Waits until the job's source has read the whole topic and committed that on a checkpoint. */
    void awaitConsumed(String group, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> ends.put(tp, info.offset()));
            Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
            await("group " + group + " at the end of " + topic, Duration.ofMinutes(2), () -> {
                try {
                    committed.clear();
                    committed.putAll(admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS));
                    return ends.entrySet().stream().allMatch(e -> committed.get(e.getKey()) != null
                            && committed.get(e.getKey()).offset() >= e.getValue());
                } catch (Exception e) {
                    return false;
                }
            }, () -> "ends " + new TreeMap<>(ends.entrySet().stream().collect(Collectors.toMap(
                    e -> e.getKey().partition(), Map.Entry::getValue)))
                    + ", committed " + new TreeMap<>(committed.entrySet().stream().collect(Collectors.toMap(
                    e -> e.getKey().partition(), e -> e.getValue().offset())))
                    + "\n" + diagnosis());
        }
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        await(what, timeout, condition, () -> "");
    }

    /** As {@link #await(String, Duration, BooleanSupplier)}, with what to report when it times out. */
    static void await(String what, Duration timeout, BooleanSupplier condition, Supplier<String> diagnosis)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() >= deadline) {
                throw new AssertionError("waited " + timeout.toSeconds() + "s for " + what + "\n" + diagnosis.get());
            }
            Thread.sleep(250);
        }
    }

    /**
     * What a failed wait needs to be understood from a CI log alone: the job's state, its
     * exceptions, each vertex's records in and out, checkpoints, and the warnings of every process.
     */
    String diagnosis() {
        StringBuilder out = new StringBuilder();
        try {
            String id = jobId();
            JsonNode job = rest().get("jobs/" + id);
            out.append("job ").append(id).append(' ').append(job.path("state").asText()).append('\n');
            for (JsonNode v : job.path("vertices")) {
                JsonNode m = v.path("metrics");
                out.append("  ").append(v.path("name").asText()).append(" p=").append(v.path("parallelism").asInt())
                        .append(' ').append(v.path("status").asText())
                        .append(" in=").append(m.path("read-records").asLong())
                        .append(" out=").append(m.path("write-records").asLong()).append('\n');
            }
            out.append("checkpoints ").append(rest().get("jobs/" + id + "/checkpoints").path("counts")).append('\n');
            String exceptions = rest().get("jobs/" + id + "/exceptions").path("exceptionHistory").path("entries").toString();
            out.append("exceptions ").append(exceptions, 0, Math.min(exceptions.length(), 4_000)).append('\n');
        } catch (Exception e) {
            out.append("job not readable: ").append(e).append('\n');
        }
        try (var logs = Files.list(dir.resolve("log"))) {
            for (Path log : logs.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
                List<String> warnings = Files.readAllLines(log).stream()
                        .filter(l -> l.contains(" WARN ") || l.contains(" ERROR ")).toList();
                out.append("--- ").append(log.getFileName()).append(": last warnings\n");
                warnings.subList(Math.max(0, warnings.size() - 15), warnings.size())
                        .forEach(l -> out.append(l, 0, Math.min(l.length(), 400)).append('\n'));
            }
        } catch (IOException e) {
            out.append("logs not readable: ").append(e).append('\n');
        }
        return out.toString();
    }

    JsonNode job() throws IOException {
        return rest().get("jobs/" + jobId());
    }

    @Override
    public void close() throws Exception {
        script("stop");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
