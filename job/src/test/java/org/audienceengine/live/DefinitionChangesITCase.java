package org.audienceengine.live;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import org.apache.kafka.clients.producer.KafkaProducer;

import org.audienceengine.config.EngineConfig;
import org.audienceengine.kafka.EmbeddedKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Audience changes on the live job, end to end through Kafka: a document published on the
 * definitions topic changes, disables, removes and creates audiences at run time; a restart from
 * a savepoint with a changed file applies it as a change; a restart with the same file changes
 * nothing. Every delta is committed once, each (audience, user) in seq order.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class DefinitionChangesITCase {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String PRO = "{\"user_attribute\": {\"name\": \"plan\", \"op\": \"equals\", \"value\": \"pro\"}}";
    private static final String FREE = "{\"user_attribute\": {\"name\": \"plan\", \"op\": \"equals\", \"value\": \"free\"}}";
    private static final String VISITED = "{\"event\": {\"name\": \"visit\", \"within\": \"7d\"}}";
    private static final String HAS_PLAN = "{\"user_attribute\": {\"name\": \"plan\", \"op\": \"exists\"}}";
    private static final String FILE = doc(a(1, PRO, true), a(2, VISITED, true), a(5, "{\"audience\": {\"id\": 2}}", true));
    /** Audience 1 changed, 2 disabled, 5 removed, 3 created. */
    private static final String PUBLISHED = doc(a(1, FREE, true), a(2, VISITED, false), a(3, HAS_PLAN, true));
    /**
     * The file of the second start: audience 1 as at first, 3 gone, 2 enabled again — like a new
     * audience, it sees no visit: its series went when it was disabled.
     */
    private static final String CHANGED_FILE = doc(a(1, PRO, true), a(2, VISITED, true));

    @TempDir
    Path dir;

    @Test
    void publishedDocumentsAndChangedFilesAtRestartGiveTheirDeltasExactlyOnce() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            EngineConfig config = LiveKafka.processingTime(kafka, dir);
            try (KafkaProducer<byte[], byte[]> producer = LiveKafka.producer(kafka.bootstrapServers());
                    TopicFollower deltas = new TopicFollower(kafka.bootstrapServers(), config.deltasTopic())) {
                JobClient first = start(config, FILE, null);
                long now = System.currentTimeMillis();
                LiveKafka.send(producer, config.eventsTopic(), batch(1, now, "pro", true));
                LiveKafka.send(producer, config.eventsTopic(), batch(2, now, "free", false));
                deltas.awaitUntil(d -> members(d).equals(Map.of(1L, "1,2,5")), WAIT, "Ann in 1, 2 and 5");

                LiveKafka.send(producer, config.definitionsTopic(), PUBLISHED);
                List<JsonNode> afterPublish = deltas.awaitUntil(
                        d -> members(d).equals(Map.of(1L, "3", 2L, "1,3")), WAIT, "the published document");
                assertThat(afterPublish.subList(3, afterPublish.size()))
                        .allSatisfy(d -> assertThat(d.get("reason").asText()).isEqualTo("definition"))
                        .hasSize(6);
                String savepoint = first.stopWithSavepoint(false, dir.resolve("sp1").toUri().toString(),
                        SavepointFormatType.CANONICAL).get();

                // A changed file at restart is a change: audience 1 back to pro, 3 gone, 2 enabled.
                JobClient second = start(config, CHANGED_FILE, savepoint);
                List<JsonNode> afterRestart = deltas.awaitUntil(
                        d -> members(d).equals(Map.of(1L, "1")), WAIT, "the changed file applied at restart");
                assertThat(afterRestart.subList(afterPublish.size(), afterRestart.size()))
                        .allSatisfy(d -> assertThat(d.get("reason").asText()).isEqualTo("definition"));
                String savepoint2 = second.stopWithSavepoint(false, dir.resolve("sp2").toUri().toString(),
                        SavepointFormatType.CANONICAL).get();

                // The same file again changes nothing: the next delta is the one a new batch causes.
                JobClient third = start(config, CHANGED_FILE, savepoint2);
                try {
                    LiveKafka.send(producer, config.eventsTopic(), batch(3, System.currentTimeMillis(), "pro", false));
                    List<JsonNode> all = deltas.awaitUntil(d -> d.size() > afterRestart.size(), WAIT, "Cat's delta");
                    assertThat(all.subList(afterRestart.size(), all.size())).singleElement().satisfies(d -> {
                        assertThat(d.get("mpid").asLong()).isEqualTo(3);
                        assertThat(d.get("reason").asText()).isEqualTo("criteria");
                    });
                    assertSeqsInOrder(all);
                } finally {
                    third.cancel().get();
                }
            }
        }
    }

    /** Committed once each: per (audience, user), seq 1, 2, 3 … in order, adds and removes alternating. */
    private static void assertSeqsInOrder(List<JsonNode> deltas) {
        Map<String, Integer> last = new HashMap<>();
        for (JsonNode d : deltas) {
            String pair = d.get("audience_id").asInt() + "/" + d.get("mpid").asLong();
            int seq = d.get("seq").asInt();
            assertThat(seq).as("seq of %s", d).isEqualTo(last.getOrDefault(pair, 0) + 1);
            assertThat(d.get("action").asText()).isEqualTo(seq % 2 == 1 ? "add" : "remove");
            last.put(pair, seq);
        }
    }

    /** user → their audiences as "1,2,5", from the deltas so far. */
    private static Map<Long, String> members(List<JsonNode> deltas) {
        Map<Long, TreeSet<Integer>> in = new HashMap<>();
        for (JsonNode d : deltas) {
            TreeSet<Integer> audiences = in.computeIfAbsent(d.get("mpid").asLong(), k -> new TreeSet<>());
            if (d.get("action").asText().equals("add")) {
                audiences.add(d.get("audience_id").asInt());
            } else {
                audiences.remove(d.get("audience_id").asInt());
            }
        }
        in.values().removeIf(TreeSet::isEmpty);
        return in.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                e -> e.getValue().stream().map(String::valueOf).collect(Collectors.joining(","))));
    }

    private static JobClient start(EngineConfig config, String file, String savepoint) throws Exception {
        Configuration flink = new Configuration();
        flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        if (savepoint != null) {
            flink.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, flink);
        LiveJob.build(env, config, file);
        return env.executeAsync("definition changes test");
    }

    private static String a(int id, String criteria, boolean enabled) {
        return "{\"id\": " + id + ", \"name\": \"a" + id + "\", \"enabled\": " + enabled + ", \"criteria\": " + criteria + "}";
    }

    private static String doc(String... audiences) {
        return "{\"audiences\": [" + String.join(", ", audiences) + "]}";
    }

    private static String batch(long mpid, long time, String plan, boolean visit) {
        String events = visit
                ? "[{\"event_type\": \"custom_event\", \"data\": {\"event_name\": \"visit\", \"custom_event_type\": \"other\"}}]"
                : "[]";
        return "{\"mpid\": " + mpid + ", \"environment\": \"production\", \"timestamp_unixtime_ms\": " + time
                + ", \"user_attributes\": {\"plan\": \"" + plan + "\"}, \"events\": " + events + "}";
    }
}
