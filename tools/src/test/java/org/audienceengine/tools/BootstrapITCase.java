package org.audienceengine.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.producer.ProducerRecord;

import org.audienceengine.cli.CommandLineRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * bootstrap against a job that had always had the new audiences: the live job runs the first
 * part of the sample with the live document, is savepointed, bootstrapped with a document that
 * adds audiences (new series, a longer window on a kept series, profile criteria, a nested one)
 * and resumed with it for the rest. Every delta it commits from the resume on, for old and new
 * audiences alike, must be one of {@code replay} of the whole input with the new document, and
 * all of those after the resume must come, each once.
 */
class BootstrapITCase {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final long DAY = 86_400_000L;
    private static final String ADDED = "["
            + "{\"id\": 900, \"name\": \"Sharers (10d)\", \"criteria\": {\"event\": {\"type\": \"custom_event\", \"name\": \"Share\", \"within\": \"10d\"}}},"
            + "{\"id\": 901, \"name\": \"Repeat buyers (60d)\", \"criteria\": {\"event\": {\"type\": \"commerce_event\", \"name\": \"purchase\","
            + " \"within\": \"60d\", \"count\": {\"op\": \"gte\", \"value\": 2}}}},"
            + "{\"id\": 902, \"name\": \"Premium repeat buyers\", \"criteria\": {\"and\": [{\"audience\": {\"id\": 901}},"
            + " {\"user_attribute\": {\"name\": \"plan\", \"op\": \"equals\", \"value\": \"premium\"}}]}},"
            + "{\"id\": 903, \"name\": \"Free plan\", \"criteria\": {\"user_attribute\": {\"name\": \"plan\", \"op\": \"equals\", \"value\": \"free\"}}}"
            + "]";

    @TempDir
    Path dir;

    @Test
    void resumedFromTheBootstrapTheJobCommitsWhatAJobThatAlwaysHadTheAudiencesWould() throws Exception {
        resumeAfterBootstrap(false);
    }

    /**
     * History from the events topic, with the rest of the input already on it when bootstrap
     * runs: only the events the job had read and applied may count (here the later ones are also
     * later than the state's time, which bounds them as well). The topic is read from the
     * longest new window before the resume, so the new audiences' seqs count from there: their
     * deltas are compared without ids; the live audiences' are exact.
     */
    @Test
    void fromTheEventsTopicHistoryEndsAtTheSavepointsOffsets() throws Exception {
        resumeAfterBootstrap(true);
    }

    private void resumeAfterBootstrap(boolean fromKafka) throws Exception {
        List<ProducerRecord<byte[], byte[]>> records = LiveRun.timeOrdered(LiveRun.sample(2_000));
        int split = records.size() * 3 / 5;
        long splitTime = records.get(split).timestamp();
        while (records.get(split - 1).timestamp() == splitTime) {
            split--;
        }
        List<ProducerRecord<byte[], byte[]>> before = records.subList(0, split);
        List<ProducerRecord<byte[], byte[]>> after = records.subList(split, records.size());
        long resumedAt = splitTime - 1;
        long end = records.get(records.size() - 1).timestamp() + DAY;

        Path liveDoc = LiveRun.AUDIENCES;
        ObjectNode doc = (ObjectNode) MAPPER.readTree(Files.readString(liveDoc));
        ((ArrayNode) doc.get("audiences")).addAll((ArrayNode) MAPPER.readTree(ADDED));
        Path newDoc = Files.writeString(dir.resolve("new-audiences.json"), doc.toPrettyString());
        Path history = LiveRun.write(dir.resolve("history.jsonl"), before);
        Path all = LiveRun.write(dir.resolve("all.jsonl"), records);
        List<JsonNode> firstPart = LiveRun.replay(history, liveDoc, resumedAt, dir.resolve("replay-first"));
        List<JsonNode> always = LiveRun.replay(all, newDoc, end - 1, dir.resolve("replay-always"));
        List<JsonNode> expected = always.stream().filter(d -> d.get("effective_at").asLong() > resumedAt).toList();
        assertThat(expected.stream().map(d -> d.get("audience_id").asInt()).collect(Collectors.toSet()))
                .as("new audiences flip after the resume").contains(900, 901);
        assertThat(always.stream().filter(d -> d.get("effective_at").asLong() <= resumedAt && d.get("audience_id").asInt() >= 900))
                .as("new audiences had members before the resume").isNotEmpty();

        try (LiveRun live = new LiveRun(dir)) {
            live.produce(before, splitTime);
            JobClient first = live.start(Files.readString(liveDoc), null);
            List<JsonNode> committedFirst = live.awaitCommitted(firstPart.size());
            assertThat(ids(committedFirst)).isEqualTo(ids(firstPart));
            Path savepoint = LiveRun.savepoint(first, dir.resolve("savepoints"));
            first.cancel().get();

            if (fromKafka) {
                live.produce(after, end);
            }
            Path bootstrapped = dir.resolve("bootstrapped");
            CommandLineRun run = CommandLineRun.of("bootstrap", "--savepoint", savepoint.toString(), "--audiences", newDoc.toString(),
                    "--history", fromKafka ? "kafka:" + live.config.eventsTopic() : history.toString(),
                    "--bootstrap-servers", live.config.bootstrapServers(), "--out", bootstrapped.toString());
            assertThat(run.exitCode()).as(run.err() + run.out()).isZero();
            System.out.print(run.out());
            assertThat(run.out()).contains("audiences [900, 901, 902, 903] added");

            // The new audiences' sizes at the resume are those of the job that always had them.
            CommandLineRun counts = CommandLineRun.of("members", "--savepoint", bootstrapped.toString(), "--count");
            assertThat(counts.exitCode()).as(counts.err()).isZero();
            List<JsonNode> alwaysUntilResume = always.stream().filter(d -> d.get("effective_at").asLong() <= resumedAt).toList();
            for (int id = 900; id <= 903; id++) {
                assertThat(counts.out()).contains(id + "," + name(doc, id) + "," + members(alwaysUntilResume, id));
            }

            if (!fromKafka) {
                live.produce(after, end);
            }
            JobClient resumed = live.start(Files.readString(newDoc), bootstrapped);
            try {
                List<JsonNode> committed = live.awaitCommitted(firstPart.size() + expected.size());
                assertThat(committed).hasSize(firstPart.size() + expected.size());
                Set<String> sinceResume = ids(committed, fromKafka);
                sinceResume.removeAll(ids(committedFirst, fromKafka));
                assertThat(sinceResume).isEqualTo(ids(expected, fromKafka));
            } finally {
                resumed.cancel().get();
            }
        }
    }

    private static Set<String> ids(List<JsonNode> deltas) {
        return ids(deltas, false);
    }

    /**
     * Each delta as its id, action, time and reason: equal sets mean the same deltas with the same
     * seqs. With {@code newWithoutSeq}, the new audiences' deltas as audience and user instead of id.
     */
    private static Set<String> ids(List<JsonNode> deltas, boolean newWithoutSeq) {
        return deltas.stream().map(d -> (newWithoutSeq && d.get("audience_id").asInt() >= 900
                        ? d.get("audience_id").asInt() + ":" + d.get("mpid").asLong() : d.get("delta_id").asText())
                + " " + d.get("action").asText() + " " + d.get("effective_at").asLong() + " " + d.get("reason").asText())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static long members(List<JsonNode> deltas, int audience) {
        return deltas.stream().filter(d -> d.get("audience_id").asInt() == audience)
                .mapToLong(d -> d.get("action").asText().equals("add") ? 1 : -1).sum();
    }

    private static String name(JsonNode doc, int id) {
        for (JsonNode a : doc.get("audiences")) {
            if (a.get("id").asInt() == id) {
                return a.get("name").asText().contains(",") ? '"' + a.get("name").asText() + '"' : a.get("name").asText();
            }
        }
        throw new AssertionError("no audience " + id);
    }
}
