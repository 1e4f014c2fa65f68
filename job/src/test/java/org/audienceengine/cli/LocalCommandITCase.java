package org.audienceengine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code local} end to end, in this JVM: Kafka, the mini cluster with its dashboard, the feeder
 * and the output reader, bounded by {@code --duration}.
 *
 * <p>For a window to expire while the test runs, the replay is anchored just before an expiry
 * the sample is known to contain (it is generated from a fixed seed; a backtest shows it):
 * user 5828531387096436675 searches "headlamp sale" at 11:45:30 and 11:49:34 on 2026-04-30,
 * enters "Sale searchers (2h)" and leaves it at 13:45:00, when the first search's minute leaves
 * the two-hour window. With the sample's clock set 68 s before that, the whole history arrives
 * in about 3.5 s, and the shift being whole minutes puts the expiry on a wall-clock minute
 * boundary 8 to 68 s after the catch-up (windows of up to a day expire on minute boundaries):
 * within the duration, whatever second the run starts at. If the sample is regenerated, pick
 * another expiry of a window of at most a day from {@code replay}'s deltas.jsonl.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class LocalCommandITCase {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Instant SALE_SEARCH_EXPIRES = Instant.parse("2026-04-30T13:45:00Z");
    private static final int SALE_SEARCHERS = 104;
    private static final int BAD_LINES_BEFORE_IT = 12;

    @TempDir
    Path dir;

    @Test
    void runsTheLiveJobWithItsDashboardAndWritesDeltasIncludingALiveExpiry() throws Exception {
        int port = freePort();
        Path out = dir.resolve("local");
        CompletableFuture<String> dashboard = CompletableFuture.supplyAsync(
                () -> pollRunningJob(port, Duration.ofSeconds(150)));

        CommandLineRun run = CommandLineRun.of("local",
                "--duration", "74",
                "--speed", "3000000",
                "--sample-now", SALE_SEARCH_EXPIRES.minusSeconds(68).toString(),
                "--dashboard-port", Integer.toString(port),
                "--out", out.toString(),
                "--config", "../conf/engine.yaml",
                "--audiences", "../conf/audiences.json",
                "--events", "../conf/sample/events.jsonl",
                "--connections", "../conf/connections.json",
                // Deltas become visible at each checkpoint; short intervals show them sooner.
                "--set", "checkpoint.interval=2s");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(dashboard.get(10, TimeUnit.SECONDS)).as("the dashboard's job list while running")
                .contains("audience-engine local").contains("RUNNING");

        List<JsonNode> deltas = readJsonLines(out.resolve("deltas.jsonl"));
        assertThat(deltas).isNotEmpty();
        assertThat(deltas).as("a remove because a window ran out, on the wall clock")
                .anySatisfy(d -> {
                    assertThat(d.path("action").asText()).isEqualTo("remove");
                    assertThat(d.path("reason").asText()).isEqualTo("expiry");
                    assertThat(d.path("audience_id").asInt()).isEqualTo(SALE_SEARCHERS);
                });
        assertThat(Files.readAllLines(out.resolve("deltas.jsonl"), StandardCharsets.UTF_8))
                .anyMatch(line -> line.contains("\"reason\":\"expiry\"") && line.contains("\"action\":\"remove\""));
        assertThat(readJsonLines(out.resolve("dlq.jsonl"))).as("the sample's bad lines, dead-lettered")
                .hasSize(BAD_LINES_BEFORE_IT);
        assertThat(out.resolve("dsr-completions.jsonl")).exists();

        assertThat(run.out())
                .contains("Flink dashboard on http://127.0.0.1:" + port + "/")
                .contains("batches in")
                .contains("id     audience")
                .contains("Cart abandoners (7d)")
                .contains("Sale searchers (2h)")
                .contains(out.resolve("deltas.jsonl").toString());
        // The sample connections, pointed at the bundled simulator, end equal to the engine.
        assertThat(run.out())
                .contains("partner simulator on http://127.0.0.1:")
                .containsPattern("mc-newsletter\\s+\\d+\\s+\\d+\\s+equal")
                .containsPattern("braze-main\\s+\\d+\\s+\\d+\\s+equal")
                .containsPattern("hook\\s+\\d+\\s+\\d+\\s+equal")
                // Delivery summary: something delivered, nothing dead-lettered or held, nothing faulted.
                .contains("Delivery, per connection:")
                .containsPattern("hook\\s+[1-9]\\d*\\s+[1-9]\\d*\\s+\\d+\\s+0\\s+\\d+\\s+0\\s+ok")
                .containsPattern("mc-newsletter\\s+[1-9]\\d*\\s+[1-9]\\d*\\s+\\d+\\s+0\\s+\\d+\\s+0\\s+ok")
                .doesNotContain("identities differ");
    }

    /** The dashboard's job list once it shows the job running; fails after the deadline. */
    private static String pollRunningJob(int port, Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/jobs/overview"))
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                last = response.statusCode() + " " + response.body();
                if (response.statusCode() == 200 && response.body().contains("RUNNING")) {
                    return response.body();
                }
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(250));
        }
        throw new IllegalStateException("the dashboard on port " + port + " never listed a running job: " + last);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    private static List<JsonNode> readJsonLines(Path file) throws IOException {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            try {
                nodes.add(MAPPER.readTree(line));
            } catch (IOException e) {
                throw new UncheckedIOException(file + ": not JSON: " + line, e);
            }
        }
        return nodes;
    }
}
