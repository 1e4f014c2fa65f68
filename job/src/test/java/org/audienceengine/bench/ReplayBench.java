package org.audienceengine.bench;

import org.audienceengine.cli.Main;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How `replay` scales with its input: the same generator and audiences as the throughput bench,
 * written to files of N and k·N batches, each replayed by the command itself (bounded, event
 * time, p=1), whole runs timed, start-up included.
 *
 * <p>{@code bench/run replay [USERS] [BATCHES,...] [AUDIENCES]}.
 */
public final class ReplayBench {
    private ReplayBench() {}

    public static void main(String[] args) throws Exception {
        int users = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        String[] sizes = args.length > 1 ? args[1].split(",") : new String[] {"100000", "200000"};
        String audiences = args.length > 2 ? args[2] : "100";
        Path dir = Files.createTempDirectory("replay-bench");
        Path definitions = dir.resolve("audiences.json");
        Files.writeString(definitions, StepBench.document(audiences));
        System.out.println("| batches | users | audiences | seconds | batches/s |");
        System.out.println("|---|---|---|---|---|");
        for (String size : sizes) {
            int batches = Integer.parseInt(size);
            Path events = dir.resolve("events-" + batches + ".jsonl");
            BenchBatches source = new BenchBatches(users, batches, 1_780_000_000_000L, 30L * 86_400_000, 11);
            try (BufferedWriter out = Files.newBufferedWriter(events, StandardCharsets.UTF_8)) {
                for (int i = 0; i < batches; i++) {
                    out.write(source.nextText());
                    out.write('\n');
                }
            }
            long start = System.nanoTime();
            int code = Main.run(new String[] {"replay", "--events", events.toString(), "--audiences", definitions.toString(),
                "--out", dir.resolve("out-" + batches).toString(), "--parallelism", "1"});
            double seconds = (System.nanoTime() - start) / 1e9;
            if (code != 0) {
                throw new IllegalStateException("replay exited with " + code);
            }
            System.out.printf("| %,d | %,d | %s | %.1f | %,.0f |%n", batches, users, audiences, seconds, batches / seconds);
        }
    }
}
