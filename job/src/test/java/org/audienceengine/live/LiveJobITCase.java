package org.audienceengine.live;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import org.apache.kafka.clients.producer.KafkaProducer;

import org.audienceengine.config.EngineConfig;
import org.audienceengine.kafka.EmbeddedKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The live job in processing time against a real broker: users enter on data, leave when a
 * one-minute window passes without new data, enter a new audience when the definitions change
 * on the topic (an invalid document changing nothing), are erased by email, and bad records go
 * to the dead-letter topic — all without the job ever restarting (no restarts are allowed).
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class LiveJobITCase {
    private static final Duration WAIT = Duration.ofSeconds(150);
    private static final String D1 = """
            {"audiences": [
              {"id": 1, "name": "visited (1m)", "criteria": {"event": {"name": "visit", "within": "1m"}}},
              {"id": 2, "name": "pro", "criteria": {"user_attribute": {"name": "plan", "op": "equals", "value": "pro"}}}
            ]}""";
    private static final String INVALID = """
            {"audiences": [{"id": 4, "name": "bad", "criteria": {"event": {"name": "visit", "within": "91d"}}}]}""";
    private static final String D2 = """
            {"audiences": [
              {"id": 1, "name": "visited (1m)", "criteria": {"event": {"name": "visit", "within": "1m"}}},
              {"id": 2, "name": "pro", "criteria": {"user_attribute": {"name": "plan", "op": "equals", "value": "pro"}}},
              {"id": 3, "name": "has a plan", "criteria": {"user_attribute": {"name": "plan", "op": "exists"}}}
            ]}""";

    @TempDir
    Path dir;

    @Test
    void liveMembershipsFollowDataTimeDefinitionsAndErasure() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            EngineConfig config = LiveKafka.processingTime(kafka, dir);
            Configuration flink = new Configuration();
            flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, flink);
            LiveJob.build(env, config, D1);

            JobClient job = env.executeAsync("live test");
            try (KafkaProducer<byte[], byte[]> producer = LiveKafka.producer(kafka.bootstrapServers());
                    TopicFollower deltas = new TopicFollower(kafka.bootstrapServers(), config.deltasTopic());
                    TopicFollower dlq = new TopicFollower(kafka.bootstrapServers(), config.deadLettersTopic());
                    TopicFollower completions = new TopicFollower(kafka.bootstrapServers(), config.dsrCompletionsTopic())) {
                long now = System.currentTimeMillis();
                LiveKafka.send(producer, config.eventsTopic(), batch(1, now, "ann@example.com", "pro", true));
                LiveKafka.send(producer, config.eventsTopic(), batch(2, now, "bob@example.com", "free", true));
                LiveKafka.send(producer, config.eventsTopic(), batch(3, now, "cat@example.com", "pro", false));
                LiveKafka.send(producer, config.eventsTopic(), "{\"mpid\": {\"oops\": 1}}");
                LiveKafka.send(producer, config.eventsTopic(), "\u0000\u0001 not json");

                deltas.awaitUntil(has(1, 1, "add", "criteria").and(has(1, 2, "add", "criteria"))
                        .and(has(2, 1, "add", "criteria")).and(has(2, 3, "add", "criteria")), WAIT, "adds on data");
                assertThat(dlq.awaitUntil(records -> records.size() >= 2, WAIT, "dead letters"))
                        .extracting(d -> d.get("reason").asText())
                        .containsExactlyInAnyOrder("wrong_type", "not_json");
                assertThat(dlq.seen()).allSatisfy(d -> assertThat(d.path("source").path("topic").asText())
                        .isEqualTo(config.eventsTopic()));

                // Definitions at run time: the invalid document is rejected, the valid one adds
                // everyone who has a plan, without any of them sending anything.
                LiveKafka.send(producer, config.definitionsTopic(), INVALID);
                LiveKafka.send(producer, config.definitionsTopic(), D2);
                deltas.awaitUntil(has(3, 1, "add", "definition").and(has(3, 2, "add", "definition"))
                        .and(has(3, 3, "add", "definition")), WAIT, "adds by definition");

                // Erasure by email.
                LiveKafka.send(producer, config.dsrRequestsTopic(),
                        "{\"request_id\": \"r-cat\", \"type\": \"erasure\", \"identity\": {\"type\": \"email\", \"value\": \"CAT@example.com\"}}");
                deltas.awaitUntil(has(2, 3, "remove", "erasure").and(has(3, 3, "remove", "erasure")), WAIT, "erasure");
                List<JsonNode> done = completions.awaitUntil(records -> !records.isEmpty(), WAIT, "completion");
                assertThat(done.get(0).get("request_id").asText()).isEqualTo("r-cat");
                assertThat(done.get(0).get("mpid").asLong()).isEqualTo(3);
                assertThat(done.get(0).get("status").asText()).isEqualTo("completed");
                assertThat(done.get(0).get("audiences_removed").asInt()).isEqualTo(2);

                // Live expiry: the visits leave their one-minute window on time, with no new data.
                List<JsonNode> all = deltas.awaitUntil(has(1, 1, "remove", "expiry").and(has(1, 2, "remove", "expiry")),
                        WAIT, "expiry removes");
                long expectedLeave = (Math.floorDiv(now, 60_000L) + 1) * 60_000L;
                for (int i = 0; i < all.size(); i++) {
                    JsonNode d = all.get(i);
                    if (d.get("reason").asText().equals("expiry")) {
                        assertThat(d.get("effective_at").asLong()).isEqualTo(expectedLeave);
                        // On time: read within a few checkpoint intervals of the instant.
                        assertThat(deltas.readAt(i) - expectedLeave).isBetween(0L, 30_000L);
                    }
                }
                assertThat(all).noneMatch(d -> d.get("audience_id").asInt() == 4);
                // Nothing of the erased user follows the erasure.
                int erasedAt = indexOf(all, d -> d.get("reason").asText().equals("erasure"));
                assertThat(all.subList(erasedAt + 2, all.size())).noneMatch(d -> d.get("mpid").asLong() == 3);

                assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
            } finally {
                job.cancel().get();
            }
        }
    }

    private static Predicate<List<JsonNode>> has(int audience, long mpid, String action, String reason) {
        return records -> records.stream().anyMatch(d -> d.get("audience_id").asInt() == audience
                && d.get("mpid").asLong() == mpid
                && d.get("action").asText().equals(action)
                && d.get("reason").asText().equals(reason));
    }

    private static int indexOf(List<JsonNode> records, Predicate<JsonNode> p) {
        for (int i = 0; i < records.size(); i++) {
            if (p.test(records.get(i))) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }

    private static String batch(long mpid, long time, String email, String plan, boolean visit) {
        String events = visit
                ? "[{\"event_type\": \"custom_event\", \"data\": {\"event_name\": \"visit\", \"custom_event_type\": \"other\","
                        + " \"timestamp_unixtime_ms\": " + time + "}}]"
                : "[]";
        return "{\"mpid\": " + mpid + ", \"environment\": \"production\", \"timestamp_unixtime_ms\": " + time
                + ", \"user_identities\": {\"email\": \"" + email + "\"}, \"user_attributes\": {\"plan\": \"" + plan
                + "\"}, \"events\": " + events + "}";
    }
}
