package org.audienceengine.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

class SampleTimelineTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void ordersLinesByBatchTimeAndKeepsBadLinesInPlace() throws IOException {
        SampleTimeline timeline = load(
                "{\"mpid\":1,\"timestamp_unixtime_ms\":5000,\"events\":[{\"event_type\":\"screen_view\",\"data\":{\"timestamp_unixtime_ms\":7000}}]}",
                "{\"mpid\":\"2\",\"timestamp_unixtime_ms\":3000}",
                "{not json",
                "{\"user_identities\":{\"customer_id\":\"C1\"},\"timestamp_unixtime_ms\":6000}");

        List<SampleTimeline.Line> lines = timeline.lines();
        // Batch time is the latest event time (7000 for line 1); the bad line takes line 2's time.
        assertThat(lines).extracting(SampleTimeline.Line::number).containsExactly(2, 3, 4, 1);
        assertThat(lines).extracting(SampleTimeline.Line::time).containsExactly(3000L, 3000L, 6000L, 7000L);
        assertThat(timeline.firstTime()).isEqualTo(3000);
        assertThat(timeline.lastTime()).isEqualTo(7000);
        assertThat(new String(lines.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("2");
        assertThat(lines.get(1).key()).isNull();
        assertThat(lines.get(2).key()).as("derived from the customer id, as the engine does").isNotNull();
    }

    @Test
    void shiftIsWholeMinutesAndNeverPutsTheAnchorInTheFuture() {
        long anchor = 1_777_556_700_000L + 12_345;
        for (long wall : new long[] {1_795_947_205_296L, 1_795_947_260_000L, 1_795_947_259_999L}) {
            long shift = SampleTimeline.shiftFor(anchor, wall);
            assertThat(shift % 60_000).isZero();
            assertThat(anchor + shift).isLessThanOrEqualTo(wall).isGreaterThan(wall - 60_000);
        }
    }

    @Test
    void shiftingMovesTheBatchEventAndConsentTimesAndNothingElse() throws IOException {
        SampleTimeline timeline = load("{\"mpid\":1,\"timestamp_unixtime_ms\":5000,"
                + "\"consent_state\":{\"gdpr\":{\"marketing\":{\"consented\":true,\"timestamp_unixtime_ms\":4000}}},"
                + "\"user_attributes\":{\"lifetime_value\":12.5,\"timestamp_unixtime_ms\":1},"
                + "\"events\":[{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"x\",\"timestamp_unixtime_ms\":4500}},"
                + "{\"event_type\":\"custom_event\",\"data\":\"not an object\"}]}");

        JsonNode shifted = MAPPER.readTree(SampleTimeline.shifted(timeline.lines().get(0), 60_000));

        assertThat(shifted.get("timestamp_unixtime_ms").asLong()).isEqualTo(65_000);
        assertThat(shifted.at("/consent_state/gdpr/marketing/timestamp_unixtime_ms").asLong()).isEqualTo(64_000);
        assertThat(shifted.at("/events/0/data/timestamp_unixtime_ms").asLong()).isEqualTo(64_500);
        assertThat(shifted.at("/events/1/data").asText()).isEqualTo("not an object");
        assertThat(shifted.at("/user_attributes/timestamp_unixtime_ms").asLong()).as("an attribute, not a time").isEqualTo(1);
        assertThat(shifted.at("/user_attributes/lifetime_value").asDouble()).isEqualTo(12.5);
    }

    @Test
    void linesThatAreNotBatchesGoOutByteForByte() throws IOException {
        byte[] garbage = {(byte) 0x1f, (byte) 0x8b, 'x', (byte) 0xff};
        Path file = dir.resolve("bad.jsonl");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write("{\"mpid\":1,\"timestamp_unixtime_ms\":5000}\n[1,2]\n".getBytes(StandardCharsets.UTF_8));
        bytes.write(garbage);
        bytes.write("\n{\"mpid\":2,\"timestamp_unixtime_ms\":\"abc\"}\n".getBytes(StandardCharsets.UTF_8));
        Files.write(file, bytes.toByteArray());

        List<SampleTimeline.Line> lines = SampleTimeline.load(file).lines();

        assertThat(lines).hasSize(4);
        assertThat(SampleTimeline.shifted(lines.get(1), 60_000)).isEqualTo("[1,2]".getBytes(StandardCharsets.UTF_8));
        assertThat(SampleTimeline.shifted(lines.get(2), 60_000)).isEqualTo(garbage);
        assertThat(new String(SampleTimeline.shifted(lines.get(3), 60_000), StandardCharsets.UTF_8)).contains("\"abc\"");
    }

    private SampleTimeline load(String... lines) throws IOException {
        Path file = dir.resolve("sample.jsonl");
        Files.writeString(file, String.join("\n", lines) + "\n");
        return SampleTimeline.load(file);
    }
}
