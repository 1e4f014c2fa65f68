package org.audienceengine.replay;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.stream.Stream;

/**
 * The deltas of a replay's part files in report order (effective_at, mpid, audience, seq),
 * however many there are: sorted in runs of a bounded size written to disk, then merged, one
 * line at a time. Memory holds one run, never the whole output.
 */
final class SortedDeltas {
    static final int RUN_LINES = 200_000;
    private static final JsonFactory JSON = new JsonFactory();
    private static final Comparator<Keyed> ORDER = Comparator.<Keyed>comparingLong(k -> k.effectiveAt)
            .thenComparingLong(k -> k.mpid).thenComparingInt(k -> k.audience).thenComparingInt(k -> k.seq);

    /** One delta line with what it is sorted by. */
    record Keyed(long effectiveAt, long mpid, int audience, int seq, boolean add, String reason, String text) {
        /**
         * Reads only the fields the order and the report need, with a streaming parser that stops
         * once it has them (they come first in the job's lines); a tree of every line would cost
         * more than the rest of the report.
         */
        static Keyed of(String text) {
            long effectiveAt = 0, mpid = 0;
            int audience = 0, seq = 0, found = 0;
            String action = null, reason = null;
            try (JsonParser p = JSON.createParser(text)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    throw new IOException("a delta line is not a JSON object");
                }
                while (found < 6 && p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    p.nextToken();
                    switch (field) {
                        case "effective_at" -> { effectiveAt = p.getLongValue(); found++; }
                        case "mpid" -> { mpid = p.getLongValue(); found++; }
                        case "audience_id" -> { audience = p.getIntValue(); found++; }
                        case "seq" -> { seq = p.getIntValue(); found++; }
                        case "action" -> { action = p.getText(); found++; }
                        case "reason" -> { reason = p.getText(); found++; }
                        default -> p.skipChildren();
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new Keyed(effectiveAt, mpid, audience, seq, "add".equals(action), String.valueOf(reason), text);
        }

        /** The line as a run file holds it: the sort fields ahead of the text, so a merge parses no JSON. */
        String runLine() {
            return effectiveAt + " " + mpid + " " + audience + " " + seq + " " + (add ? 1 : 0) + " " + reason + "\t" + text;
        }

        static Keyed ofRunLine(String line) {
            int tab = line.indexOf('\t');
            String[] f = line.substring(0, tab).split(" ", 6);
            return new Keyed(Long.parseLong(f[0]), Long.parseLong(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]),
                    f[4].equals("1"), f[5], line.substring(tab + 1));
        }
    }

    /** What receives the sorted lines. */
    interface Visitor {
        void accept(Keyed delta) throws IOException;
    }

    private SortedDeltas() {}

    /** Visits every delta of the part files starting with {@code prefix} in report order. */
    static void forEach(Path partsDir, String prefix, Path workDir, Visitor visitor) throws IOException {
        forEach(partsDir, prefix, workDir, RUN_LINES, visitor);
    }

    /** @param runLines how many lines are sorted in memory at a time */
    static void forEach(Path partsDir, String prefix, Path workDir, int runLines, Visitor visitor) throws IOException {
        List<Path> runs = new ArrayList<>();
        List<Keyed> run = new ArrayList<>();
        try (Stream<Path> files = Files.list(partsDir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith(prefix + "-")).sorted().toList()) {
                try (BufferedReader in = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                    for (String text = in.readLine(); text != null; text = in.readLine()) {
                        if (!text.isBlank()) {
                            run.add(Keyed.of(text));
                        }
                        if (run.size() == runLines) {
                            runs.add(writeRun(run, workDir, runs.size()));
                            run.clear();
                        }
                    }
                }
            }
        }
        run.sort(ORDER);
        if (runs.isEmpty()) {
            for (Keyed k : run) {
                visitor.accept(k);
            }
            return;
        }
        if (!run.isEmpty()) {
            runs.add(writeRun(run, workDir, runs.size()));
        }
        merge(runs, visitor);
        for (Path r : runs) {
            Files.delete(r);
        }
    }

    private static Path writeRun(List<Keyed> run, Path workDir, int index) throws IOException {
        run.sort(ORDER);
        Path file = workDir.resolve("sorted-deltas-" + index + ".jsonl");
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Keyed k : run) {
                out.write(k.runLine());
                out.write('\n');
            }
        }
        return file;
    }

    private record Head(Keyed delta, BufferedReader from) {}

    private static void merge(List<Path> runs, Visitor visitor) throws IOException {
        PriorityQueue<Head> heads = new PriorityQueue<>(Comparator.comparing(Head::delta, ORDER));
        List<BufferedReader> readers = new ArrayList<>();
        try {
            for (Path r : runs) {
                BufferedReader in = Files.newBufferedReader(r, StandardCharsets.UTF_8);
                readers.add(in);
                String first = in.readLine();
                if (first != null) {
                    heads.add(new Head(Keyed.ofRunLine(first), in));
                }
            }
            while (!heads.isEmpty()) {
                Head head = heads.poll();
                visitor.accept(head.delta());
                String next = head.from().readLine();
                if (next != null) {
                    heads.add(new Head(Keyed.ofRunLine(next), head.from()));
                }
            }
        } finally {
            for (BufferedReader in : readers) {
                in.close();
            }
        }
    }
}
