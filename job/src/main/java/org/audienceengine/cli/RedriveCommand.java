package org.audienceengine.cli;

import org.audienceengine.connectors.delivery.SecretResolver;
import org.audienceengine.delivery.ConnectionsValidator;
import org.audienceengine.delivery.Redrive;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code redrive --dlq FILE_OR_TOPIC [--kafka HOST:PORT] [--connections FILE]}: re-sends
 * dead-lettered deliveries; exit 0 only when every one was delivered. Those that failed again are
 * written to {@code FILE.remaining} (or {@code TOPIC.remaining.jsonl}).
 */
@Command(name = "redrive", mixinStandardHelpOptions = true, description = "Re-send dead-lettered deliveries.")
final class RedriveCommand implements Callable<Integer> {
    @Option(names = "--dlq", required = true, paramLabel = "FILE_OR_TOPIC",
            description = "Delivery dead letters: a JSON Lines file, or with --kafka a topic (e.g. delivery-dlq).")
    String dlq;

    @Option(names = "--kafka", paramLabel = "HOST:PORT", description = "Read the dead letters from this broker's topic.")
    String kafka;

    @Option(names = "--connections", paramLabel = "FILE", defaultValue = "conf/connections.json",
            description = "Connections (for the secrets to sign and authenticate with; default: ${DEFAULT-VALUE}).")
    Path connections;

    @Override
    public Integer call() {
        try {
            Files.requireReadable(connections);
            String json = java.nio.file.Files.readString(connections, StandardCharsets.UTF_8);
            List<String> errors = ConnectionsValidator.validate(json, null);
            if (!errors.isEmpty()) {
                throw new CommandFailure(connections + ": invalid connections:" + System.lineSeparator() + "  "
                        + String.join(System.lineSeparator() + "  ", errors));
            }
            List<String> lines;
            Path rest;
            if (kafka != null) {
                lines = org.audienceengine.kafka.CommittedRecords.all(kafka, dlq);
                rest = Path.of(dlq + ".remaining.jsonl");
            } else {
                Path file = Path.of(dlq);
                Files.requireReadable(file);
                lines = java.nio.file.Files.readAllLines(file, StandardCharsets.UTF_8);
                rest = file.resolveSibling(file.getFileName() + ".remaining");
            }
            List<Redrive.Outcome> outcomes = new Redrive(json, SecretResolver.system()).resend(lines);
            List<String> remaining = new java.util.ArrayList<>();
            // Per connection: requests delivered, requests failed, deltas they carried.
            java.util.Map<String, long[]> byConnection = new java.util.TreeMap<>();
            int index = 0;
            for (String line : lines) {
                if (line.isBlank()) {
                    continue;
                }
                Redrive.Outcome o = outcomes.get(index++);
                long[] counts = byConnection.computeIfAbsent(o.connectionId(), k -> new long[3]);
                counts[o.delivered() ? 0 : 1]++;
                counts[2] += o.deltaIds().size();
                if (!o.delivered()) {
                    System.out.printf("%-20s HTTP %3d, %d deltas: failed again%n", o.connectionId(), o.status(), o.deltaIds().size());
                    remaining.add(line);
                }
            }
            byConnection.forEach((id, c) -> System.out.printf("%-20s %d requests delivered, %d failed (%d deltas)%n",
                    id, c[0], c[1], c[2]));
            if (remaining.isEmpty()) {
                java.nio.file.Files.deleteIfExists(rest);
            } else {
                java.nio.file.Files.write(rest, remaining, StandardCharsets.UTF_8);
            }
            System.out.println("redrive: " + (outcomes.size() - remaining.size()) + " delivered, " + remaining.size()
                    + " failed" + (remaining.isEmpty() ? "" : " (kept in " + rest + ")"));
            return remaining.isEmpty() ? 0 : 1;
        } catch (CommandFailure failure) {
            System.err.println(failure.getMessage());
            return 1;
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("redrive: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }
}
