package org.audienceengine.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;

/** Event batches for tests, written as JSON with single quotes for readability. */
final class TestBatches {
    static final ObjectMapper MAPPER = new ObjectMapper();
    /** 2026-01-01T00:00:00Z. */
    static final long T = 1_767_225_600_000L;

    private TestBatches() {}

    static String json(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    static JsonNode read(String singleQuoted) {
        try {
            return MAPPER.readTree(json(singleQuoted));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A valid batch: one user, one screen view. */
    static ObjectNode good() {
        return (ObjectNode) read("{'mpid': 42, 'environment': 'production', 'timestamp_unixtime_ms': " + T + ","
                + " 'events': [{'event_type': 'screen_view', 'data': {'screen_name': 'home'}}]}");
    }

    /** The good batch with one field replaced (a duplicate key is rejected, so no text splicing). */
    static ObjectNode goodWith(String field, String singleQuotedValue) {
        return good().set(field, read(singleQuotedValue));
    }

    static ObjectNode withEvent(JsonNode event) {
        ObjectNode batch = good();
        batch.putArray("events").add(event);
        return batch;
    }

    static ObjectNode customEvent(JsonNode customAttributes) {
        ObjectNode event = (ObjectNode) read("{'event_type': 'custom_event', 'data': {'event_name': 'search'}}");
        ((ObjectNode) event.get("data")).set("custom_attributes", customAttributes);
        return event;
    }

    /** An object of n numeric attributes a0 … a(n-1). */
    static ObjectNode attributes(int n) {
        ObjectNode attributes = MAPPER.createObjectNode();
        for (int i = 0; i < n; i++) {
            attributes.put("a" + i, i);
        }
        return attributes;
    }
}
