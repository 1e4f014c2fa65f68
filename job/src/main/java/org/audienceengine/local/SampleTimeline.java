package org.audienceengine.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.audienceengine.ingest.MpidDerivation;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A file of batches as a timeline that can be laid onto the wall clock: every line with its batch
 * time, in time order, and the rewriting of a batch's times by a constant shift.
 *
 * <p>Lines are kept as bytes: a bad line (not UTF-8, not JSON, a wrong type) is sent exactly as
 * it is, so that it reaches the dead-letter topic for the same reason as in a replay. Such a line
 * takes the time of the line before it, so it keeps its place in the file.
 */
public final class SampleTimeline {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String TIME = "timestamp_unixtime_ms";
    private static final long MINUTE_MS = 60_000L;

    /** One line of the file: its batch time (ms) and, for a readable batch, the tree to rewrite. */
    public record Line(int number, long time, byte[] raw, ObjectNode batch, byte[] key) {}

    private final List<Line> lines;

    private SampleTimeline(List<Line> lines) {
        this.lines = lines;
    }

    public static SampleTimeline load(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        List<Line> lines = new ArrayList<>();
        long previous = Long.MIN_VALUE;
        int start = 0;
        int number = 0;
        for (int i = 0; i <= all.length; i++) {
            if (i == all.length || all[i] == '\n') {
                number++;
                int end = i > start && all[i - 1] == '\r' ? i - 1 : i;
                if (end > start) {
                    Line line = read(number, Arrays.copyOfRange(all, start, end), previous);
                    lines.add(line);
                    previous = line.time();
                }
                start = i + 1;
            }
        }
        // Bad lines before the first good one get the first good time rather than "never".
        long first = lines.stream().mapToLong(Line::time).filter(t -> t != Long.MIN_VALUE).findFirst().orElse(0);
        List<Line> timed = new ArrayList<>(lines.size());
        for (Line l : lines) {
            timed.add(l.time() == Long.MIN_VALUE ? new Line(l.number(), first, l.raw(), l.batch(), l.key()) : l);
        }
        // Stable: equal times keep file order, as replay orders ties.
        timed.sort(Comparator.comparingLong(Line::time));
        return new SampleTimeline(List.copyOf(timed));
    }

    private static Line read(int number, byte[] raw, long previousTime) {
        JsonNode root;
        try {
            root = MAPPER.readTree(raw);
        } catch (IOException | RuntimeException e) {
            return new Line(number, previousTime, raw, null, null);
        }
        if (root == null || !root.isObject()) {
            return new Line(number, previousTime, raw, null, null);
        }
        ObjectNode batch = (ObjectNode) root;
        Long time = batchTime(batch);
        return new Line(number, time == null ? previousTime : time, raw, time == null ? null : batch, key(batch));
    }

    /** The engine's batch time: the latest event time, an event without one counting as the batch's. */
    private static Long batchTime(ObjectNode batch) {
        JsonNode stamp = batch.get(TIME);
        if (stamp != null && !stamp.isNull() && !isTime(stamp)) {
            return null;
        }
        Long batchStamp = stamp == null || stamp.isNull() ? null : stamp.longValue();
        Long latest = null;
        JsonNode events = batch.get("events");
        if (events != null && events.isArray()) {
            for (JsonNode event : events) {
                JsonNode t = event.path("data").path(TIME);
                Long time = isTime(t) ? Long.valueOf(t.longValue()) : batchStamp;
                if (time != null && (latest == null || time > latest)) {
                    latest = time;
                }
            }
        }
        return latest != null ? latest : batchStamp;
    }

    private static boolean isTime(JsonNode node) {
        return node.isIntegralNumber() && node.canConvertToLong();
    }

    /** The user's mpid as the record key, so that one user's batches stay in one partition, in order. */
    private static byte[] key(ObjectNode batch) {
        JsonNode mpid = batch.get("mpid");
        String key = null;
        if (mpid != null && (mpid.isIntegralNumber() || mpid.isTextual())) {
            key = mpid.asText();
        } else {
            JsonNode ids = batch.path("user_identities");
            if (ids.path("customer_id").isTextual()) {
                key = Long.toString(MpidDerivation.derive("customer_id", ids.get("customer_id").textValue()));
            } else if (ids.path("email").isTextual()) {
                key = Long.toString(MpidDerivation.derive("email",
                        ids.get("email").textValue().trim().toLowerCase(Locale.ROOT)));
            }
        }
        return key == null ? null : key.getBytes(StandardCharsets.UTF_8);
    }

    /** In time order. */
    public List<Line> lines() {
        return lines;
    }

    public long firstTime() {
        return lines.isEmpty() ? 0 : lines.get(0).time();
    }

    public long lastTime() {
        return lines.isEmpty() ? 0 : lines.get(lines.size() - 1).time();
    }

    /**
     * The shift that makes sample instant {@code anchor} the wall-clock instant {@code wallMs},
     * rounded down to whole minutes. A whole-minute shift keeps the sample's minute buckets (the
     * buckets of every window up to 24h): a 30m, 2h or 1d window that a backtest expires at
     * sample time T expires here at exactly T + shift. Rounding down puts every batch up to the
     * anchor in the past at {@code wallMs}: the sample's clock then reads at most a minute past it.
     */
    public static long shiftFor(long anchor, long wallMs) {
        return Math.floorDiv(wallMs - anchor, MINUTE_MS) * MINUTE_MS;
    }

    /**
     * The line's bytes with every time in it moved by {@code shiftMs}: the batch's, each event's
     * and each consent record's {@code timestamp_unixtime_ms}. A line that is not a batch with
     * readable times is returned unchanged.
     */
    public static byte[] shifted(Line line, long shiftMs) {
        if (line.batch() == null) {
            return line.raw();
        }
        ObjectNode batch = line.batch().deepCopy();
        shiftField(batch, shiftMs);
        JsonNode events = batch.get("events");
        if (events != null && events.isArray()) {
            for (JsonNode event : events) {
                if (event.path("data").isObject()) {
                    shiftField((ObjectNode) event.get("data"), shiftMs);
                }
            }
        }
        JsonNode consent = batch.get("consent_state");
        if (consent != null && consent.isObject()) {
            for (JsonNode regulation : consent) {
                for (Iterator<Map.Entry<String, JsonNode>> purposes = regulation.fields(); purposes.hasNext();) {
                    JsonNode record = purposes.next().getValue();
                    if (record.isObject()) {
                        shiftField((ObjectNode) record, shiftMs);
                    }
                }
            }
        }
        try {
            return MAPPER.writeValueAsBytes(batch);
        } catch (IOException e) {
            return line.raw();
        }
    }

    private static void shiftField(ObjectNode node, long shiftMs) {
        JsonNode t = node.get(TIME);
        if (t != null && isTime(t)) {
            node.set(TIME, LongNode.valueOf(t.longValue() + shiftMs));
        }
    }
}
