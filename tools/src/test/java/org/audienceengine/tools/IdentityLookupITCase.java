package org.audienceengine.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.flink.core.execution.JobClient;

import org.audienceengine.cli.CommandLineRun;
import org.audienceengine.erasure.IdentityKeys;
import org.audienceengine.tools.state.SavepointState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

/**
 * {@code inspect --identity} on a job in processing time with erasure requests, which keeps the
 * identity index: a user is found through it, and a user erased by identity is not found, by
 * identity or by mpid; and a user is found through an index of the earlier layout too.
 */
class IdentityLookupITCase {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String PRO = "{\"audiences\": [{\"id\": 1, \"name\": \"Pro\", \"criteria\":"
            + " {\"user_attribute\": {\"name\": \"plan\", \"op\": \"equals\", \"value\": \"pro\"}}}]}";

    @TempDir
    Path dir;

    @Test
    void anErasedUserIsNotFoundAndTheOthersAreFoundThroughTheIndex() throws Exception {
        try (LiveRun live = new LiveRun(dir, "processing")) {
            JobClient job = live.start(PRO, null);
            long now = System.currentTimeMillis();
            live.send(live.config.eventsTopic(), batch(1, "ann@example.com", now), batch(2, "bob@example.com", now));
            assertThat(live.awaitCommitted(2)).hasSize(2);
            live.send(live.config.dsrRequestsTopic(),
                    "{\"request_id\": \"r-bob\", \"type\": \"erasure\", \"identity\": {\"type\": \"email\", \"value\": \"BOB@example.com\"}}");
            List<JsonNode> deltas = live.awaitCommitted(3);
            assertThat(deltas.get(2).path("reason").asText()).isEqualTo("erasure");
            Path savepoint = LiveRun.savepoint(job, dir.resolve("savepoints"));
            job.cancel().get();

            assertThat(SavepointState.open(savepoint, 2).hasIdentityIndex()).isTrue();
            CommandLineRun ann = CommandLineRun.of("inspect", "--savepoint", savepoint.toString(), "--identity", "email=Ann@Example.com", "--json");
            assertThat(ann.exitCode()).as(ann.err()).isZero();
            JsonNode found = MAPPER.readTree(ann.out());
            assertThat(found.path("mpid").asLong()).isEqualTo(1);
            assertThat(found.path("audiences").get(0).path("member").asBoolean()).isTrue();

            CommandLineRun bob = CommandLineRun.of("inspect", "--savepoint", savepoint.toString(), "--identity", "email=bob@example.com");
            assertThat(bob.exitCode()).isEqualTo(3);
            assertThat(bob.out()).contains("not_found");
            assertThat(CommandLineRun.of("inspect", "--savepoint", savepoint.toString(), "--mpid", "2").exitCode()).isEqualTo(3);

            CommandLineRun counts = CommandLineRun.of("members", "--savepoint", savepoint.toString(), "--count");
            assertThat(counts.out()).contains("1,Pro,1");

            // The same state with the index in the earlier two-state layout, as a savepoint of an
            // earlier release holds it: Ann is found through it all the same.
            Path earlier = EarlierIdentityIndex.rewrite(savepoint, dir.resolve("earlier-layout"),
                    IdentityKeys.of("email", "ann@example.com"), 1L, now);
            assertThat(SavepointState.open(earlier, 2).indexedMpid(IdentityKeys.of("email", "ann@example.com"))).isEqualTo(1L);
            CommandLineRun fromEarlier = CommandLineRun.of("inspect", "--savepoint", earlier.toString(), "--identity", "email=ann@example.com", "--json");
            assertThat(fromEarlier.exitCode()).as(fromEarlier.err()).isZero();
            assertThat(MAPPER.readTree(fromEarlier.out()).path("mpid").asLong()).isEqualTo(1);
            assertThat(CommandLineRun.of("inspect", "--savepoint", earlier.toString(), "--identity", "email=bob@example.com").exitCode())
                    .isEqualTo(3);
        }
    }

    private static String batch(long mpid, String email, long time) {
        return "{\"mpid\": " + mpid + ", \"environment\": \"production\", \"timestamp_unixtime_ms\": " + time
                + ", \"user_identities\": {\"email\": \"" + email + "\"}, \"user_attributes\": {\"plan\": \"pro\"}, \"events\": []}";
    }
}
