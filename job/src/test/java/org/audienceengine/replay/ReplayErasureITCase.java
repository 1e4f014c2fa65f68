package org.audienceengine.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.audienceengine.cli.CommandLineRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code replay --dsr}: erasure by mpid and by identity, applied at received_at. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ReplayErasureITCase {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final long T0 = 1_767_225_600_000L;
    private static final long HOUR = 3_600_000L;

    @TempDir
    Path dir;

    @Test
    void erasuresRemoveEveryMembershipAndNothingOfTheUserFollows() throws IOException {
        Path events = dir.resolve("events.jsonl");
        Files.write(events, List.of(
                batch(1, T0, "ann@example.com", "c-1"),
                batch(2, T0, "bob@example.com", "c-2"),
                batch(3, T0, "cat@example.com", "c-3"),
                // Later activity of Ann and Bob: before the requests, so they count.
                batch(1, T0 + HOUR, "ann@example.com", "c-1"),
                batch(2, T0 + HOUR, "bob@example.com", "c-2")));
        Path audiences = dir.resolve("audiences.json");
        Files.writeString(audiences, """
                {"audiences": [
                  {"id": 1, "name": "emailable", "criteria": {"identity": {"type": "email", "op": "exists"}}},
                  {"id": 2, "name": "visitors", "criteria": {"event": {"name": "visit", "within": "30d"}}}
                ]}""");
        Path dsr = dir.resolve("dsr.jsonl");
        Files.write(dsr, List.of(
                "{\"request_id\": \"by-mpid\", \"type\": \"erasure\", \"mpid\": 1, \"received_at\": " + (T0 + 2 * HOUR) + "}",
                "{\"request_id\": \"by-email\", \"type\": \"erasure\", \"identity\": {\"type\": \"email\", \"value\": \" BOB@example.com\"}, \"received_at\": " + (T0 + 2 * HOUR) + "}",
                "{\"request_id\": \"unknown\", \"type\": \"erasure\", \"identity\": {\"type\": \"email\", \"value\": \"nobody@example.com\"}, \"received_at\": " + (T0 + 2 * HOUR) + "}"));
        Path out = dir.resolve("out");

        CommandLineRun run = CommandLineRun.of("replay", "--events", events.toString(), "--audiences", audiences.toString(),
                "--dsr", dsr.toString(), "--parallelism", "2", "--out", out.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();

        List<JsonNode> deltas = read(out.resolve("deltas.jsonl"));
        for (long erased : List.of(1L, 2L)) {
            List<JsonNode> theirs = deltas.stream().filter(d -> d.get("mpid").asLong() == erased).toList();
            List<JsonNode> erasures = theirs.stream().filter(d -> d.get("reason").asText().equals("erasure")).toList();
            assertThat(erasures).extracting(d -> d.get("audience_id").asInt()).containsExactlyInAnyOrder(1, 2);
            assertThat(erasures).allSatisfy(d -> {
                assertThat(d.get("action").asText()).isEqualTo("remove");
                assertThat(d.get("effective_at").asLong()).isEqualTo(T0 + 2 * HOUR);
                assertThat(d.has("user_attributes")).isFalse();
            });
            // The erasure is the user's last word: no expiry or lifetime delta follows it.
            assertThat(theirs.get(theirs.size() - 1).get("reason").asText()).isEqualTo("erasure");
        }
        // Cat was not erased: her visit expires and her profile ends as usual.
        assertThat(deltas).filteredOn(d -> d.get("mpid").asLong() == 3)
                .extracting(d -> d.get("reason").asText())
                .contains("criteria", "expiry", "profile_expired")
                .doesNotContain("erasure");

        List<JsonNode> completions = read(out.resolve("dsr-completions.jsonl"));
        assertThat(completions).extracting(c -> c.get("request_id").asText() + ":" + c.get("status").asText()
                        + ":" + c.get("audiences_removed").asInt())
                .containsExactly("by-email:completed:2", "by-mpid:completed:2", "unknown:not_found:0");
        assertThat(completions.get(0).get("mpid").asLong()).isEqualTo(2);
    }

    private static String batch(long mpid, long time, String email, String customerId) {
        return "{\"mpid\": " + mpid + ", \"environment\": \"production\", \"timestamp_unixtime_ms\": " + time
                + ", \"user_identities\": {\"email\": \"" + email + "\", \"customer_id\": \"" + customerId + "\"},"
                + " \"events\": [{\"event_type\": \"custom_event\", \"data\": {\"event_name\": \"visit\","
                + " \"custom_event_type\": \"other\", \"timestamp_unixtime_ms\": " + time + "}}]}";
    }

    private static List<JsonNode> read(Path file) throws IOException {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            nodes.add(MAPPER.readTree(line));
        }
        return nodes;
    }
}
