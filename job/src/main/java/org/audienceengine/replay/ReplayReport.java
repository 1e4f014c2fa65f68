package org.audienceengine.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.audienceengine.definitions.Audience;
import org.audienceengine.definitions.AudienceSet;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Turns a replay's part files into the files of cli.md: {@code deltas.jsonl} (ordered by
 * effective_at, mpid, audience, seq, so the same input gives the same file at any parallelism),
 * {@code dlq.jsonl} (by source position), {@code members.csv} and {@code summary.json}.
 */
public final class ReplayReport {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Counts the job itself reports (from its accumulators). */
    public record JobCounts(long accepted, long applied, long duplicates, long afterUntil) {}

    private record Line(JsonNode node, String text) {}

    private ReplayReport() {}

    public static ObjectNode write(Path partsDir, Path outDir, AudienceSet audiences, JobCounts counts,
            Long untilMs, int parallelism) throws IOException {
        List<Line> deadLetters = readParts(partsDir, ReplayJob.DLQ_PREFIX);
        deadLetters.sort(Comparator.<Line, String>comparing(l -> l.node.path("source").path("file").asText())
                .thenComparingLong(l -> l.node.path("source").path("line").asLong()));
        writeLines(outDir.resolve("dlq.jsonl"), deadLetters);

        // Final membership: the last delta of each (audience, mpid) says whether the user is in.
        Map<Integer, Map<Long, Boolean>> members = new HashMap<>();
        Map<String, long[]> byReasonCounts = new LinkedHashMap<>(); // first seen first, as the report lists them
        Map<Integer, long[]> addsAndRemoves = new TreeMap<>();
        long[] counted = new long[2];
        try (BufferedWriter out = Files.newBufferedWriter(outDir.resolve("deltas.jsonl"), StandardCharsets.UTF_8)) {
            SortedDeltas.forEach(partsDir, ReplayJob.DELTAS_PREFIX, partsDir, d -> {
                out.write(d.text());
                out.write('\n');
                members.computeIfAbsent(d.audience(), k -> new HashMap<>()).put(d.mpid(), d.add());
                byReasonCounts.computeIfAbsent((d.add() ? "add" : "remove") + ":" + d.reason(), r -> new long[1])[0]++;
                addsAndRemoves.computeIfAbsent(d.audience(), id -> new long[2])[d.add() ? 0 : 1]++;
                counted[0]++;
                counted[1] += d.add() ? 1 : 0;
            });
        }
        long total = counted[0];
        long adds = counted[1];
        ObjectNode summary = MAPPER.createObjectNode();
        ObjectNode byReason = MAPPER.createObjectNode();
        byReasonCounts.forEach((reason, n) -> byReason.put(reason, n[0]));
        Map<Integer, ObjectNode> perAudience = new TreeMap<>();
        addsAndRemoves.forEach((id, n) -> audienceNode(id, audiences, perAudience).put("adds", n[0]).put("removes", n[1]));
        try (BufferedWriter out = Files.newBufferedWriter(outDir.resolve("members.csv"), StandardCharsets.UTF_8)) {
            out.write("audience_id,mpid\n");
            for (Integer audience : new TreeSet<>(members.keySet())) {
                long[] in = members.get(audience).entrySet().stream().filter(Map.Entry::getValue)
                        .mapToLong(Map.Entry::getKey).sorted().toArray();
                for (long mpid : in) {
                    out.write(audience + "," + mpid + "\n");
                }
                perAudience.get(audience).put("members", in.length);
            }
        }
        for (Audience a : audiences.inEvaluationOrder()) {
            audienceNode(a.id(), audiences, perAudience);
        }

        ObjectNode dlqByReason = MAPPER.createObjectNode();
        for (Line l : deadLetters) {
            String reason = l.node.path("reason").asText();
            dlqByReason.put(reason, dlqByReason.path(reason).asLong() + 1);
        }
        summary.put("parallelism", parallelism);
        if (untilMs != null) {
            summary.put("until", untilMs);
        } else {
            summary.putNull("until");
        }
        ObjectNode batches = summary.putObject("batches");
        batches.put("accepted", counts.accepted());
        batches.put("applied", counts.applied());
        batches.put("duplicates", counts.duplicates());
        batches.put("after_until", counts.afterUntil());
        batches.put("dead_lettered", deadLetters.size());
        summary.set("dead_letters_by_reason", dlqByReason);
        ObjectNode totals = summary.putObject("deltas");
        totals.put("total", total);
        totals.put("adds", adds);
        totals.put("removes", total - adds);
        totals.set("by_action_and_reason", byReason);
        ArrayNode list = summary.putArray("audiences");
        perAudience.values().forEach(list::add);
        Files.writeString(outDir.resolve("summary.json"),
                MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(summary) + "\n");
        return summary;
    }

    /**
     * Writes {@code dsr-completions.jsonl}: the job's completion records plus those of requests
     * resolved to no user before the run, ordered by request id. Returns the count per status.
     */
    public static ObjectNode writeCompletions(Path partsDir, Path outDir, List<String> notFound) throws IOException {
        List<Line> lines = readParts(partsDir, ReplayJob.COMPLETIONS_PREFIX);
        for (String text : notFound) {
            lines.add(new Line(MAPPER.readTree(text), text));
        }
        lines.sort(Comparator.comparing(l -> l.node.path("request_id").asText()));
        writeLines(outDir.resolve("dsr-completions.jsonl"), lines);
        ObjectNode byStatus = MAPPER.createObjectNode();
        for (Line l : lines) {
            String status = l.node.path("status").asText();
            byStatus.put(status, byStatus.path(status).asLong() + 1);
        }
        return byStatus;
    }

    /** Writes {@code delivery-dlq.jsonl} from the part files; returns how many there were. */
    public static int writeDeliveryDeadLetters(Path partsDir, Path outDir) throws IOException {
        List<Line> lines = readParts(partsDir, ReplayJob.DELIVERY_DLQ_PREFIX);
        lines.sort(Comparator.comparing(l -> l.text));
        writeLines(outDir.resolve("delivery-dlq.jsonl"), lines);
        return lines.size();
    }

    private static ObjectNode audienceNode(int id, AudienceSet audiences, Map<Integer, ObjectNode> perAudience) {
        return perAudience.computeIfAbsent(id, key -> {
            ObjectNode a = MAPPER.createObjectNode();
            a.put("id", id);
            Audience def = audiences.audience(id);
            a.put("name", def == null ? null : def.name());
            a.put("members", 0);
            a.put("adds", 0);
            a.put("removes", 0);
            return a;
        });
    }

    private static List<Line> readParts(Path dir, String prefix) throws IOException {
        List<Line> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith(prefix + "-")).sorted().toList()) {
                for (String text : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    if (!text.isBlank()) {
                        lines.add(new Line(MAPPER.readTree(text), text));
                    }
                }
            }
        }
        return lines;
    }

    private static void writeLines(Path file, List<Line> lines) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Line l : lines) {
                out.write(l.text);
                out.write('\n');
            }
        }
    }
}
