package org.audienceengine.testutils;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntPredicate;

/** Lines of the bundled sample as bytes (one line of it is not UTF-8), split as replay splits them. */
public final class SampleLines {
    public static final Path SAMPLE = Path.of("../conf/sample/events.jsonl");

    private SampleLines() {}

    /** The non-empty lines whose 1-based numbers {@code keep} accepts. */
    public static List<byte[]> lines(IntPredicate keep) throws IOException {
        byte[] all = Files.readAllBytes(SAMPLE);
        List<byte[]> lines = new ArrayList<>();
        int start = 0;
        int number = 0;
        for (int i = 0; i <= all.length; i++) {
            if (i == all.length || all[i] == '\n') {
                number++;
                int end = i > start && all[i - 1] == '\r' ? i - 1 : i;
                if (keep.test(number) && end > start) {
                    lines.add(Arrays.copyOfRange(all, start, end));
                }
                start = i + 1;
            }
        }
        return lines;
    }

    public static void write(Path file, List<byte[]> lines) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] line : lines) {
            out.write(line);
            out.write('\n');
        }
        Files.write(file, out.toByteArray());
    }
}
