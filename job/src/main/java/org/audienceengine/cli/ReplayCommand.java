package org.audienceengine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.apache.flink.api.common.JobExecutionResult;

import org.audienceengine.config.EngineSettings;
import org.audienceengine.definitions.AudienceSet;
import org.audienceengine.delivery.DeliverySummary;
import org.audienceengine.config.Durations;
import org.audienceengine.ingest.IngestFunction;
import org.audienceengine.profile.UserAudiencesOperator;
import org.audienceengine.replay.ReplayErasures;
import org.audienceengine.replay.ReplayJob;
import org.audienceengine.replay.ReplayReport;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/** {@code replay}: a bounded backtest in event time over JSON Lines files. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Backtest: run the engine bounded, in event time, over JSON Lines files of batches.")
final class ReplayCommand implements Callable<Integer> {
    @Option(names = "--events", required = true, arity = "1..*", paramLabel = "FILE",
            description = "Batches, one per line (.jsonl or .jsonl.gz).")
    List<Path> events;

    @Option(names = "--audiences", required = true, paramLabel = "FILE", description = "Audience definitions (JSON).")
    Path audiences;

    @Option(names = "--until", paramLabel = "MS", description = "Stop at this epoch ms: later batches and expiries are not applied.")
    Long until;

    @Option(names = "--dsr", paramLabel = "FILE",
            description = "Erasure requests (JSON Lines), applied at their received_at time.")
    Path dsr;

    @Option(names = "--connections", paramLabel = "FILE",
            description = "Partner connections (JSON): forward the deltas; the run ends when all are delivered or dead-lettered.")
    Path connections;

    @Option(names = "--parallelism", paramLabel = "N", defaultValue = "1", description = "Parallelism (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--profile-lifetime", paramLabel = "WINDOW", defaultValue = "90d",
            description = "Profile lifetime, e.g. 90d (default: ${DEFAULT-VALUE}).")
    String profileLifetime;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Option(names = "--verbose", description = "Print stack traces of failures.")
    boolean verbose;

    @Override
    public Integer call() {
        try {
            return replay();
        } catch (CommandFailure failure) {
            System.err.println(failure.getMessage());
            if (verbose && failure.getCause() != null) {
                failure.getCause().printStackTrace();
            }
            return 1;
        }
    }

    private int replay() throws CommandFailure {
        if (parallelism < 1 || parallelism > EngineSettings.DEFAULT_MAX_PARALLELISM) {
            throw new CommandFailure("--parallelism must be between 1 and " + EngineSettings.DEFAULT_MAX_PARALLELISM);
        }
        long lifetimeMs;
        try {
            lifetimeMs = Durations.parseMillis(profileLifetime);
        } catch (IllegalArgumentException e) {
            throw new CommandFailure("--profile-lifetime: " + e.getMessage());
        }
        for (Path file : events) {
            Files.requireReadable(file);
        }
        if (dsr != null) {
            Files.requireReadable(dsr);
        }

        AudienceSet set = Files.loadDefinitions(audiences);
        String connectionsJson = connections == null ? null : Files.loadConnections(connections, set);
        Path parts = out.resolve(".parts");
        try {
            java.nio.file.Files.createDirectories(out);
            deleteTree(parts);
            ReplayErasures.Resolved erasures = dsr == null ? null : ReplayErasures.resolve(dsr, events);
            if (erasures != null && !erasures.rejected().isEmpty()) {
                throw new CommandFailure(String.join(System.lineSeparator(), erasures.rejected()));
            }
            JobExecutionResult result = ReplayJob.run(events, erasures == null ? null : erasures.requests(),
                    connectionsJson, set.sourceJson(), until, parallelism, lifetimeMs, parts);
            ReplayReport.JobCounts counts = new ReplayReport.JobCounts(
                    count(result, IngestFunction.ACCEPTED_ACCUMULATOR),
                    count(result, UserAudiencesOperator.APPLIED_ACCUMULATOR),
                    count(result, UserAudiencesOperator.DUPLICATES_ACCUMULATOR),
                    count(result, UserAudiencesOperator.AFTER_UNTIL_ACCUMULATOR));
            ObjectNode summary = ReplayReport.write(parts, out, set, counts, until, parallelism);
            DeliverySummary delivery = null;
            if (connectionsJson != null) {
                // Partners get the run's final deltas, as the live job's partners get committed ones.
                JobExecutionResult delivered = ReplayJob.deliver(out.resolve("deltas.jsonl"), connectionsJson, parallelism, parts);
                delivery = DeliverySummary.of(delivered.getAllAccumulatorResults());
                summary.put("delivery_dead_letters", ReplayReport.writeDeliveryDeadLetters(parts, out));
                summary.set("delivery", delivery.toJson());
            }
            if (erasures != null || connectionsJson != null) {
                if (erasures != null) {
                    summary.set("erasures", ReplayReport.writeCompletions(parts, out, erasures.notFound()));
                }
                java.nio.file.Files.writeString(out.resolve("summary.json"),
                        summary.toPrettyString() + System.lineSeparator());
            }
            deleteTree(parts);
            print(summary, delivery);
            return 0;
        } catch (IOException e) {
            throw new CommandFailure(out + ": " + e.getMessage(), e);
        } catch (Exception e) {
            throw new CommandFailure("replay failed: " + rootMessage(e), e);
        }
    }

    private static long count(JobExecutionResult result, String name) {
        Object value = result.getAccumulatorResult(name);
        return value instanceof Number n ? n.longValue() : 0;
    }

    private void print(ObjectNode summary, DeliverySummary delivery) {
        JsonNode batches = summary.get("batches");
        JsonNode deltas = summary.get("deltas");
        System.out.printf("replay: %d batches applied, %d duplicates dropped, %d dead-lettered, %d after --until%n",
                batches.get("applied").asLong(), batches.get("duplicates").asLong(),
                batches.get("dead_lettered").asLong(), batches.get("after_until").asLong());
        System.out.printf("deltas: %d (%d adds, %d removes)%n",
                deltas.get("total").asLong(), deltas.get("adds").asLong(), deltas.get("removes").asLong());
        deltas.get("by_action_and_reason").fields().forEachRemaining(
                e -> System.out.printf("  %-26s %d%n", e.getKey(), e.getValue().asLong()));
        System.out.printf("%-6s %-40s %8s %8s %8s%n", "id", "audience", "members", "adds", "removes");
        for (JsonNode a : summary.get("audiences")) {
            System.out.printf("%-6d %-40.40s %8d %8d %8d%n", a.get("id").asInt(), a.get("name").asText(),
                    a.get("members").asLong(), a.get("adds").asLong(), a.get("removes").asLong());
        }
        if (delivery != null) {
            System.out.println("delivery:");
            delivery.lines().forEach(l -> System.out.println("  " + l));
        }
        System.out.println("wrote " + out.resolve("deltas.jsonl") + ", dlq.jsonl, members.csv, summary.json"
                + (delivery != null ? ", delivery-dlq.jsonl" : ""));
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!java.nio.file.Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = java.nio.file.Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.delete(p);
            }
        }
    }
}
