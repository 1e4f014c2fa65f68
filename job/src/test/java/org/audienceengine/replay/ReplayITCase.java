package org.audienceengine.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.audienceengine.cli.CommandLineRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The replay command end to end on the shipped sample, on a local mini cluster with RocksDB: the
 * same input gives the same files at parallelism 1 and 4.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ReplayITCase {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String SAMPLE = "../conf/sample/events.jsonl";
    private static final String AUDIENCES = "../conf/audiences.json";

    @TempDir
    static Path dir;

    static Path single;
    static Path parallel;

    @BeforeAll
    static void replayAtParallelismOneAndFour() {
        single = replay("p1", "1");
        parallel = replay("p4", "4");
    }

    private static Path replay(String name, String parallelism) {
        Path out = dir.resolve(name);
        CommandLineRun run = CommandLineRun.of("replay", "--events", SAMPLE, "--audiences", AUDIENCES,
                "--parallelism", parallelism, "--out", out.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("deltas:");
        return out;
    }

    @Test
    void sameFilesAtAnyParallelism() throws IOException {
        for (String file : List.of("deltas.jsonl", "dlq.jsonl", "members.csv")) {
            assertThat(Files.readAllLines(parallel.resolve(file)))
                    .as(file)
                    .isEqualTo(Files.readAllLines(single.resolve(file)));
        }
    }

    @Test
    void sampleShowsAddsExpiriesAndDeadLetters() throws IOException {
        JsonNode summary = MAPPER.readTree(single.resolve("summary.json").toFile());
        JsonNode reasons = summary.path("deltas").path("by_action_and_reason");
        assertThat(reasons.path("add:criteria").asLong()).isPositive();
        assertThat(reasons.path("remove:expiry").asLong()).isPositive();
        assertThat(summary.path("batches").path("applied").asLong()).isGreaterThan(1000);
        assertThat(summary.path("batches").path("dead_lettered").asLong()).isPositive();
        assertThat(Files.readAllLines(single.resolve("dlq.jsonl"))).isNotEmpty();
    }

    @Test
    void seqStartsAtOneAndAlternatesPerAudienceAndUser() throws IOException {
        Map<String, JsonNode> last = new HashMap<>();
        List<String> lines = Files.readAllLines(single.resolve("deltas.jsonl"));
        assertThat(lines).isNotEmpty();
        for (String line : lines) {
            JsonNode d = MAPPER.readTree(line);
            String pair = d.get("audience_id").asText() + ":" + d.get("mpid").asText() + ":"
                    + d.get("profile_created_at").asText();
            JsonNode previous = last.put(pair, d);
            int expectedSeq = previous == null ? 1 : previous.get("seq").asInt() + 1;
            assertThat(d.get("seq").asInt()).as(line).isEqualTo(expectedSeq);
            assertThat(d.get("action").asText()).as(line).isEqualTo(expectedSeq % 2 == 1 ? "add" : "remove");
            assertThat(d.get("delta_id").asText()).isEqualTo(pair + ":" + expectedSeq);
            if (previous != null) {
                assertThat(d.get("effective_at").asLong()).isGreaterThanOrEqualTo(previous.get("effective_at").asLong());
            }
        }
    }

    @Test
    void withoutUntilEveryProfileHasExpiredAtTheEnd() throws IOException {
        // cli.md: without --until, members.csv is the membership after every expiry, and every
        // profile expires a lifetime after its last batch.
        assertThat(Files.readAllLines(single.resolve("members.csv"))).containsExactly("audience_id,mpid");
    }

    @Test
    void untilStopsAtThatInstant() throws IOException {
        long until = 1_772_323_200_000L; // 2026-03-01T00:00:00Z, inside the sample's span
        Path out = dir.resolve("until");
        CommandLineRun run = CommandLineRun.of("replay", "--events", SAMPLE, "--audiences", AUDIENCES,
                "--until", Long.toString(until), "--out", out.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> deltas = Files.readAllLines(out.resolve("deltas.jsonl"));
        assertThat(deltas).isNotEmpty();
        for (String line : deltas) {
            assertThat(MAPPER.readTree(line).get("effective_at").asLong()).isLessThanOrEqualTo(until);
        }
        assertThat(Files.readAllLines(out.resolve("members.csv")).size()).isGreaterThan(1);
        JsonNode summary = MAPPER.readTree(out.resolve("summary.json").toFile());
        assertThat(summary.path("batches").path("after_until").asLong()).isPositive();
        // Up to the bound, the full run emitted exactly the same deltas.
        List<String> fullUpToUntil = Files.readAllLines(single.resolve("deltas.jsonl")).stream()
                .filter(l -> readEffectiveAt(l) <= until)
                .toList();
        assertThat(deltas).isEqualTo(fullUpToUntil);
    }

    private static long readEffectiveAt(String line) {
        try {
            return MAPPER.readTree(line).get("effective_at").asLong();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
