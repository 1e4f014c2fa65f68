package org.audienceengine.testutils;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.audienceengine.ingest.BatchParser;
import org.audienceengine.ingest.IngestedBatch;

import java.nio.charset.StandardCharsets;
/**
 * Builds Events-API batch payloads and audience definition documents for operator tests.
 *
 * <p>Times are absolute epoch milliseconds; {@link #T0} is aligned to a day, so {@code T0 + 3 *
 * MINUTE} is the start of a minute bucket and an offset that is not a whole minute or hour is
 * visibly off a bucket edge.
 */
public final class Batches {
    /** 2026-01-01T00:00:00Z. */
    public static final long T0 = 1_767_225_600_000L;
    public static final long SECOND = 1_000L;
    public static final long MINUTE = 60 * SECOND;
    public static final long HOUR = 60 * MINUTE;
    public static final long DAY = 24 * HOUR;

    static final ObjectMapper MAPPER = new ObjectMapper();

    private Batches() {}

    /** A batch of user {@code mpid} whose {@code timestamp_unixtime_ms} is {@code time}. */
    public static BatchBuilder batch(long mpid, long time) {
        return new BatchBuilder(mpid, time);
    }

    public static EventBuilder custom(String name, long time) {
        EventBuilder e = new EventBuilder("custom_event", time);
        e.data.put("event_name", name);
        e.data.put("custom_event_type", "other");
        return e;
    }

    public static EventBuilder screen(String name, long time) {
        EventBuilder e = new EventBuilder("screen_view", time);
        e.data.put("screen_name", name);
        return e;
    }

    /** A commerce event; {@code totalAmount} may be null to leave {@code total_amount} out. */
    public static EventBuilder commerce(String action, long time, Number totalAmount) {
        EventBuilder e = new EventBuilder("commerce_event", time);
        ObjectNode productAction = e.data.putObject("product_action");
        productAction.put("action", action);
        if (totalAmount != null) {
            productAction.set("total_amount", MAPPER.valueToTree(totalAmount));
        }
        productAction.putArray("products");
        return e;
    }

    /** An event of a type that has no name of its own (session_start, …). */
    public static EventBuilder event(String type, long time) {
        return new EventBuilder(type, time);
    }

    /** JSON written with single quotes, which reads better inside Java strings. */
    public static String json(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    /** A definitions document of the given audiences (see {@link #audience}). */
    public static String definitions(String... audiences) {
        return "{\"audiences\": [" + String.join(",", audiences) + "]}";
    }

    /** Audience {@code id} named {@code "a<id>"}; criteria in single-quoted JSON. */
    public static String audience(int id, String criteria) {
        return "{\"id\": " + id + ", \"name\": \"a" + id + "\", \"criteria\": " + json(criteria) + "}";
    }

    /** One batch payload under construction. */
    public static final class BatchBuilder {
        private final ObjectNode root = MAPPER.createObjectNode();

        BatchBuilder(long mpid, long time) {
            root.put("mpid", mpid);
            root.put("environment", "production");
            root.put("timestamp_unixtime_ms", time);
        }

        public BatchBuilder requestId(String sourceRequestId) {
            root.put("source_request_id", sourceRequestId);
            return this;
        }

        public BatchBuilder environment(String environment) {
            root.put("environment", environment);
            return this;
        }

        /** A user identity; null deletes it. */
        public BatchBuilder identity(String type, String value) {
            root.withObjectProperty("user_identities").put(type, value);
            return this;
        }

        /** A user attribute: String, Number, Boolean, List of Strings, or null to delete it. */
        public BatchBuilder attribute(String name, Object value) {
            root.withObjectProperty("user_attributes").set(name, MAPPER.valueToTree(value));
            return this;
        }

        public BatchBuilder deleteAttribute(String name) {
            root.withArrayProperty("deleted_user_attributes").add(name);
            return this;
        }

        /** A device_info field; null deletes it. */
        public BatchBuilder device(String field, String value) {
            root.withObjectProperty("device_info").put(field, value);
            return this;
        }

        public BatchBuilder consent(String purpose, boolean consented, long timestamp) {
            ObjectNode record = root.withObjectProperty("consent_state").withObjectProperty("gdpr").putObject(purpose);
            record.put("consented", consented);
            record.put("timestamp_unixtime_ms", timestamp);
            return this;
        }

        public BatchBuilder events(EventBuilder... events) {
            ArrayNode list = root.withArrayProperty("events");
            for (EventBuilder e : events) {
                list.add(e.node());
            }
            return this;
        }

        public String json() {
            return root.toString();
        }

        /**
         * The record ingest would emit for this payload: mpid and batch time as the parser reads
         * them, so a fixture can never disagree with the engine about a batch's time.
         */
        public IngestedBatch ingested(long order, Long receivedAt) {
            byte[] payload = json().getBytes(StandardCharsets.UTF_8);
            BatchParser.Result parsed = BatchParser.parse(payload, receivedAt);
            if (!parsed.ok()) {
                throw new IllegalArgumentException("fixture batch is invalid: " + parsed.rejection() + ": " + json());
            }
            return new IngestedBatch(parsed.batch().mpid, parsed.batch().batchTime, order, receivedAt, payload);
        }
    }

    /** One event under construction. */
    public static final class EventBuilder {
        private final String type;
        final ObjectNode data = MAPPER.createObjectNode();

        EventBuilder(String type, long time) {
            this.type = type;
            data.put("timestamp_unixtime_ms", time);
        }

        /** A custom attribute (String, Number or Boolean). */
        public EventBuilder attr(String name, Object value) {
            data.withObjectProperty("custom_attributes").set(name, MAPPER.valueToTree(value));
            return this;
        }

        public EventBuilder messageId(String sourceMessageId) {
            data.put("source_message_id", sourceMessageId);
            return this;
        }

        public EventBuilder customEventType(String customEventType) {
            data.put("custom_event_type", customEventType);
            return this;
        }

        public EventBuilder location(double latitude, double longitude) {
            ObjectNode location = data.putObject("location");
            location.put("latitude", latitude);
            location.put("longitude", longitude);
            return this;
        }

        JsonNode node() {
            ObjectNode event = MAPPER.createObjectNode();
            event.put("event_type", type);
            event.set("data", data);
            return event;
        }
    }
}
