package org.audienceengine.local;

import org.audienceengine.config.EngineConfig;
import org.audienceengine.definitions.Audience;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What {@code local} prints: a progress line every few seconds and the summary at the end. */
public final class Report {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");
    private static final DateTimeFormatter SAMPLE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

    /** The totals a line or the summary shows. */
    public record Totals(long batchesIn, long deltasOut, long deadLetters, long erasureCompletions) {}

    private Report() {}

    /**
     * {@code 12:01:05  batches in 3,210  deltas out 1,932  dlq 7  (sample 2026-03-02 14:10)  | 101:12 102:40 …}:
     * the local time, the totals, where the replay is in the sample's own time, and each
     * audience's size.
     */
    /** What the feeder sent and the reader has seen committed so far. */
    public static Totals totals(Feeder feeder, OutputRecorder recorder, EngineConfig settings) {
        return new Totals(feeder == null ? 0 : feeder.sent(), recorder.count(settings.deltasTopic()),
                recorder.count(settings.deadLettersTopic()), recorder.count(settings.dsrCompletionsTopic()));
    }

    /** The progress line of a local run now. */
    public static String progressLine(Feeder feeder, OutputRecorder recorder, List<Audience> audiences,
            EngineConfig settings, Map<Integer, long[]> seen) {
        long sampleTime = feeder.caughtUp() ? System.currentTimeMillis() - feeder.shiftMs() : feeder.lastSampleTime();
        return progressLine(Instant.now(), totals(feeder, recorder, settings), sampleTime, feeder.caughtUp(),
                audiences, recorder, seen);
    }

    /**
     * One progress line: totals, then per audience what changed since the previous line
     * ({@code seen} holds the adds and removes already reported, and is updated).
     */
    public static String progressLine(Instant now, Totals totals, long sampleTime, boolean caughtUp,
            List<Audience> audiences, OutputRecorder recorder, Map<Integer, long[]> seen) {
        StringBuilder line = new StringBuilder();
        line.append(clock(now))
                .append("  batches in ").append(number(totals.batchesIn()))
                .append("  deltas out ").append(number(totals.deltasOut()))
                .append("  dlq ").append(number(totals.deadLetters()));
        if (sampleTime > 0) {
            line.append("  (sample ").append(SAMPLE.format(Instant.ofEpochMilli(sampleTime)))
                    .append(caughtUp ? ", live)" : ")");
        }
        List<String> changes = new ArrayList<>();
        long members = 0;
        for (Audience a : sorted(audiences)) {
            OutputRecorder.AudienceCounts c = recorder.audience(a.id());
            members += c.size();
            long[] before = seen.getOrDefault(a.id(), new long[2]);
            long adds = c.adds() - before[0];
            long removes = c.removes() - before[1];
            if (adds != 0 || removes != 0) {
                changes.add(a.id() + (adds != 0 ? " +" + number(adds) : "") + (removes != 0 ? " -" + number(removes) : "")
                        + " (" + number(c.size()) + ")");
            }
            seen.put(a.id(), new long[] {c.adds(), c.removes()});
        }
        line.append("  | ").append(number(members)).append(" memberships; ")
                .append(changes.isEmpty() ? "no changes" : "changed: " + String.join(", ", changes));
        if (!caughtUp && members == 0) {
            // Windows are measured against the wall clock: history older than a window counts for nothing.
            line.append(" (audiences fill as the catch-up nears now: windows run on the wall clock)");
        }
        return line.toString();
    }

    public static void printSummary(PrintStream out, Duration ran, Totals totals, List<Audience> audiences,
            OutputRecorder recorder, List<String> files) {
        out.println();
        out.printf("local: ran %s; %s batches in, %s deltas out (%s by expiry), %s dead letters, %s erasure completions%n",
                duration(ran), number(totals.batchesIn()), number(totals.deltasOut()), number(recorder.expiryRemoves()),
                number(totals.deadLetters()), number(totals.erasureCompletions()));
        out.printf("%-6s %-44s %8s %8s %8s%n", "id", "audience", "size", "adds", "removes");
        for (Audience a : sorted(audiences)) {
            OutputRecorder.AudienceCounts c = recorder.audience(a.id());
            out.printf("%-6d %-44.44s %8s %8s %8s%n", a.id(), a.name(), number(c.size()), number(c.adds()),
                    number(c.removes()));
        }
        for (String file : files) {
            out.println("wrote " + file);
        }
    }

    private static List<Audience> sorted(List<Audience> audiences) {
        return audiences.stream().sorted(Comparator.comparingInt(Audience::id)).toList();
    }

    static String number(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String duration(Duration d) {
        long s = d.toSeconds();
        if (s < 60) {
            return s + "s";
        }
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }

    /** A shift of the sample's times, in days, hours and minutes. */
    public static String shift(long ms) {
        long minutes = Math.abs(ms) / 60_000;
        return (ms < 0 ? "-" : "") + String.format(Locale.ROOT, "%dd %dh %02dm", minutes / 1440, minutes / 60 % 24, minutes % 60);
    }

    public static String clock(Instant at) {
        return LocalTime.ofInstant(at, ZoneId.systemDefault()).format(CLOCK);
    }

    /** A sample instant as the progress lines show it. */
    public static String sampleTime(long ms) {
        return SAMPLE.format(Instant.ofEpochMilli(ms)) + " UTC";
    }
}
