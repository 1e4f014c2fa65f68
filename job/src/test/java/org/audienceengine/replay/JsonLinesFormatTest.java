package org.audienceengine.replay;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.local.LocalDataInputStream;

import org.audienceengine.ingest.BatchParser;
import org.audienceengine.ingest.RawRecord;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

class JsonLinesFormatTest {
    @TempDir
    Path dir;

    @Test
    void readsLinesWithTheirNumbersAcrossBufferEdgesAndCutsTooLongOnes() throws Exception {
        String wide = "w".repeat(100_000); // longer than the reader's buffer: spans reads
        byte[] tooLong = "x".repeat(BatchParser.MAX_BATCH_BYTES + 5000).getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.writeBytes("{\"a\":1}\r\n\n   \t\n".getBytes(StandardCharsets.UTF_8));
        file.writeBytes((wide + "\n").getBytes(StandardCharsets.UTF_8));
        file.writeBytes(tooLong);
        file.writeBytes("\n\u00e9\n".getBytes(StandardCharsets.UTF_8));
        file.writeBytes(new byte[] {(byte) 0xff, 'z'}); // not UTF-8, and no newline at the end
        Path path = dir.resolve("events.jsonl");
        Files.write(path, file.toByteArray());

        List<RawRecord> read = new ArrayList<>();
        try (StreamFormat.Reader<RawRecord> reader = new JsonLinesFormat("events.jsonl", 2)
                .createReader(new Configuration(), new LocalDataInputStream(path.toFile()))) {
            for (RawRecord r = reader.read(); r != null; r = reader.read()) {
                read.add(r);
            }
        }

        assertThat(read).extracting(r -> r.offset).containsExactly(1L, 4L, 5L, 6L, 7L);
        assertThat(read).extracting(r -> r.order - (2L << JsonLinesFormat.LINE_BITS)).containsExactly(1L, 4L, 5L, 6L, 7L);
        assertThat(read).allSatisfy(r -> assertThat(r.source).isEqualTo("events.jsonl"));
        assertThat(new String(read.get(0).payload, StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
        assertThat(new String(read.get(1).payload, StandardCharsets.UTF_8)).isEqualTo(wide);
        assertThat(read.get(2).payload).hasSize(BatchParser.MAX_BATCH_BYTES + 1).containsOnly((byte) 'x');
        assertThat(new String(read.get(3).payload, StandardCharsets.UTF_8)).isEqualTo("\u00e9");
        assertThat(read.get(4).payload).containsExactly((byte) 0xff, (byte) 'z');
    }
}
