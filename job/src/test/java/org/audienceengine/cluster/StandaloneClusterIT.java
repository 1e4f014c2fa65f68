package org.audienceengine.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.kafka.clients.producer.ProducerRecord;

import org.audienceengine.cli.CommandLineRun;
import org.audienceengine.kafka.TopicReader;
import org.audienceengine.testutils.EventRecords;
import org.audienceengine.testutils.SampleLines;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;

/**
 * The production path on a real standalone cluster, driven by {@code bin/flink-cluster}: the job
 * submitted through REST at p=2, stopped with savepoints and resumed at other parallelisms, and
 * a TaskManager killed with SIGKILL. In event time every run must commit exactly the deltas of
 * an uninterrupted {@code replay} of the same lines, each once.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterIT {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final long DAY = 86_400_000L;
    private static final String PROFILES_VERTEX = "Profiles: evaluate audiences per user";

    @TempDir
    static Path dir;

    static ClusterRig cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = ClusterRig.start(dir.resolve("cluster"), 2);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** A test that failed half-way must not leave its job holding the slots of the next. */
    @AfterEach
    void cancelRunningJobs() throws Exception {
        for (FlinkRest.Job job : cluster.rest().jobs()) {
            if (job.state().equals("RUNNING") || job.state().equals("RESTARTING") || job.state().equals("CREATED")) {
                cluster.rest().cancel(job.id());
                cluster.rest().awaitState(job.id(), Duration.ofMinutes(1), "CANCELED", "FAILED", "FINISHED");
            }
        }
    }

    @Test
    @Order(1)
    void atParallelismTwoTheJobCommitsTheDeltasOfReplayAndTheDashboardShowsIt() throws Exception {
        Input input = Input.of("p2", 1_000);
        cluster.script(submit(2, null, "p2"));

        JsonNode job = cluster.job();
        assertThat(job.path("name").asText()).isEqualTo("audience-engine");
        List<String> vertices = StreamSupport.stream(job.path("vertices").spliterator(), false)
                .map(v -> v.path("name").asText()).toList();
        assertThat(vertices).contains("Source: Events from Kafka -> Ingest: parse and validate batches",
                "Dead letters to Kafka: Writer -> Dead letters to Kafka: Committer");
        assertThat(vertices).anyMatch(v -> v.startsWith(PROFILES_VERTEX + " -> (Deltas to Kafka: Writer"));
        assertThat(parallelismOf(PROFILES_VERTEX)).isEqualTo(2);
        HttpResponse<String> dashboard = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.restPort + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(dashboard.statusCode()).isEqualTo(200);
        assertThat(dashboard.body()).contains("Apache Flink Web Dashboard");
        // The dashboard's log tabs read the processes' log files.
        assertThat(cluster.rest().get("jobmanager/logs").toString()).contains("jobmanager.log");
        assertThat(cluster.rest().get("taskmanagers").path("taskmanagers").size()).isEqualTo(2);

        cluster.produce(input.records);
        cluster.produce(input.ticks);
        assertCommitsExactly(input);

        // Prometheus: the audience sizes summed over the TaskManagers are replay's final members.
        Map<String, Long> members = new TreeMap<>();
        List<String> rows = Files.readAllLines(dir.resolve("p2-replay/members.csv"));
        for (String row : rows.subList(1, rows.size())) {
            members.merge(row.split(",")[0], 1L, Long::sum);
        }
        assertThat(members).isNotEmpty();
        String jobId = cluster.jobId();
        ClusterRig.await("audience sizes on Prometheus equal to replay's members", Duration.ofMinutes(1),
                () -> members.equals(PrometheusScrape.audienceSizes(jobId)));
        cluster.script("savepoint");
    }

    @Test
    @Order(2)
    void stopWithSavepointAtOneResumeAtTwoAndBackAtOneMissesAndRepeatsNothing() throws Exception {
        Input input = Input.of("rescale", 1_500);
        int third = input.records.size() / 3;
        assertThat(input.removesBetween(0, third)).as("expiries in the first stage").isPositive();
        assertThat(input.removesBetween(third, 2 * third)).as("expiries in the second stage").isPositive();
        assertThat(input.removesBetween(2 * third, input.records.size())).as("expiries in the last stage").isPositive();

        cluster.script(submit(1, null, "rescale"));
        cluster.produce(input.records.subList(0, third));
        cluster.awaitConsumed("rescale", input.topic);
        cluster.script("rescale", "2");
        assertThat(parallelismOf(PROFILES_VERTEX)).isEqualTo(2);
        assertThat(restored().path("is_savepoint").asBoolean()).as("resumed from the savepoint").isTrue();

        cluster.produce(input.records.subList(third, 2 * third));
        cluster.awaitConsumed("rescale", input.topic);
        cluster.script("rescale", "1");
        assertThat(parallelismOf(PROFILES_VERTEX)).isEqualTo(1);

        cluster.produce(input.records.subList(2 * third, input.records.size()));
        cluster.produce(input.ticks);
        assertCommitsExactly(input);
        cluster.script("savepoint");
    }

    @Test
    @Order(3)
    void aKilledTaskManagerLosesAndRepeatsNoDelta() throws Exception {
        Input input = Input.of("kill", 1_000);
        int half = input.records.size() / 2;
        cluster.script(submit(2, null, "kill"));
        cluster.produce(input.records.subList(0, half));
        cluster.awaitConsumed("kill", input.topic);

        String taskManager = taskManagerOf(PROFILES_VERTEX);
        ProcessHandle process = ProcessHandle.of(cluster.pidOf(taskManager)).orElseThrow();
        process.destroyForcibly();
        assertThat(process.onExit().get(30, TimeUnit.SECONDS).isAlive()).isFalse();

        cluster.produce(input.records.subList(half, input.records.size()));
        cluster.produce(input.ticks);
        assertCommitsExactly(input);
        assertThat(restored().path("is_savepoint").asBoolean()).as("recovered from a checkpoint").isFalse();
        assertThat(restored().path("id").asLong()).isPositive();
        assertThat(taskManagerOf(PROFILES_VERTEX)).isNotEqualTo(taskManager);
    }

    /** The sample's first lines as one test's input, with the replay they must give. */
    private record Input(String name, String topic, List<ProducerRecord<byte[], byte[]>> records,
            List<ProducerRecord<byte[], byte[]>> ticks, List<JsonNode> expected) {

        static Input of(String name, int lines) throws IOException {
            List<byte[]> slice = SampleLines.lines(number -> number <= lines);
            String topic = name + "-events";
            List<ProducerRecord<byte[], byte[]>> records = EventRecords.timeOrdered(topic, slice, ClusterRig.PARTITIONS);
            long end = records.stream().mapToLong(ProducerRecord::timestamp).max().orElseThrow() + DAY;
            // Time stops one ms short of the ticks (the watermark is the newest timestamp less 1).
            Path file = dir.resolve(name + ".jsonl");
            SampleLines.write(file, slice);
            Path out = dir.resolve(name + "-replay");
            CommandLineRun run = CommandLineRun.of("replay", "--events", file.toString(), "--audiences",
                    "../conf/audiences.json", "--until", Long.toString(end - 1), "--out", out.toString());
            assertThat(run.exitCode()).as(run.err()).isZero();
            List<JsonNode> expected = new ArrayList<>();
            for (String line : Files.readAllLines(out.resolve("deltas.jsonl"))) {
                expected.add(MAPPER.readTree(line));
            }
            assertThat(expected).hasSizeGreaterThan(100);
            return new Input(name, topic, records, ClusterRig.ticks(topic, end), expected);
        }

        /** Expiries (window moves) the replay dates within the batch times of records[from, to). */
        long removesBetween(int from, int to) {
            long low = records.get(from).timestamp();
            long high = records.get(to - 1).timestamp();
            return expected.stream().filter(d -> d.path("reason").asText().equals("expiry")
                    && d.path("effective_at").asLong() >= low && d.path("effective_at").asLong() <= high).count();
        }
    }

    private static String[] submit(int parallelism, String savepoint, String name) {
        List<String> args = new ArrayList<>(List.of("submit", "-p", Integer.toString(parallelism)));
        if (savepoint != null) {
            args.addAll(List.of("--savepoint", savepoint));
        }
        args.addAll(ClusterRig.eventTimeJob(name));
        return args.toArray(String[]::new);
    }

    /** Waits for the replay's number of deltas, then checks them after one more checkpoint. */
    private static void assertCommitsExactly(Input input) throws Exception {
        String deltasTopic = input.name + "-deltas";
        ClusterRig.await(input.expected.size() + " committed deltas on " + deltasTopic, Duration.ofMinutes(4),
                () -> committed(deltasTopic).size() >= input.expected.size(),
                () -> committed(deltasTopic).size() + " committed\n" + cluster.diagnosis());
        int checkpoints = completedCheckpoints();
        ClusterRig.await("one more checkpoint", Duration.ofMinutes(1), () -> completedCheckpoints() > checkpoints);
        Map<Integer, List<JsonNode>> byPartition = TopicReader.readCommitted(cluster.bootstrapServers(), deltasTopic);
        List<JsonNode> deltas = byPartition.values().stream().flatMap(List::stream).toList();
        Set<String> ids = new HashSet<>();
        for (JsonNode d : deltas) {
            assertThat(ids.add(d.path("delta_id").asText())).as("committed once: %s", d).isTrue();
        }
        assertThat(deltas).hasSameSizeAs(input.expected);
        assertThat(new HashSet<>(deltas)).as("the deltas of replay").isEqualTo(new HashSet<>(input.expected));
    }

    private static List<JsonNode> committed(String topic) {
        return TopicReader.readCommitted(cluster.bootstrapServers(), topic).values().stream()
                .flatMap(List::stream).toList();
    }

    private static int completedCheckpoints() {
        try {
            return cluster.rest().get("jobs/" + cluster.jobId() + "/checkpoints").path("counts").path("completed").asInt();
        } catch (IOException e) {
            return -1;
        }
    }

    /** The checkpoint or savepoint the job last restored from. */
    private static JsonNode restored() throws IOException {
        JsonNode restored = cluster.rest().get("jobs/" + cluster.jobId() + "/checkpoints").path("latest").path("restored");
        assertThat(restored.isObject()).as("the job restored from a checkpoint or savepoint: %s", restored).isTrue();
        return restored;
    }

    private static JsonNode vertex(String namePrefix) throws IOException {
        for (JsonNode v : cluster.job().path("vertices")) {
            if (v.path("name").asText().startsWith(namePrefix)) {
                return v;
            }
        }
        throw new AssertionError("no vertex " + namePrefix);
    }

    private static int parallelismOf(String namePrefix) throws IOException {
        return vertex(namePrefix).path("parallelism").asInt();
    }

    /** The TaskManager that runs the first subtask of a vertex (its resource id). */
    private static String taskManagerOf(String namePrefix) throws Exception {
        String vertexId = vertex(namePrefix).path("id").asText();
        String[] found = new String[1];
        ClusterRig.await("subtasks of " + namePrefix + " running", Duration.ofMinutes(2), () -> {
            try {
                for (JsonNode tm : cluster.rest().get("jobs/" + cluster.jobId() + "/vertices/" + vertexId
                        + "/taskmanagers").path("taskmanagers")) {
                    if (tm.path("status").asText().equals("RUNNING")) {
                        found[0] = tm.path("taskmanager-id").asText();
                        return true;
                    }
                }
            } catch (IOException e) {
                // Not answering during a restart.
            }
            return false;
        });
        return found[0];
    }
}
