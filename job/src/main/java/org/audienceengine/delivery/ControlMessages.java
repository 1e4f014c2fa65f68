package org.audienceengine.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * Control messages for connections on the {@code connection-control} topic:
 * {@code {"connection": "mc-newsletter", "action": "resume"}} lifts a fault (and reads the
 * connection's secrets anew, so a rotated key takes effect). A resume is harmless when repeated.
 */
public final class ControlMessages {
    private static final Logger LOG = LoggerFactory.getLogger(ControlMessages.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    static final String RESUME = "resume";

    /** A parsed control message. */
    public record Control(String connection, String action) {}

    private ControlMessages() {}

    /** The message, or null (logged) when it is not JSON or names no connection and known action. */
    public static Control parse(String json) {
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (IOException e) {
            LOG.warn("Ignored a connection control message that is not JSON");
            return null;
        }
        String connection = node == null ? null : node.path("connection").asText(null);
        String action = node == null ? null : node.path("action").asText(null);
        if (connection == null || !RESUME.equals(action)) {
            LOG.warn("Ignored a connection control message without a connection and a known action (resume)");
            return null;
        }
        return new Control(connection, action);
    }

    /** The message that resumes a connection. */
    public static String resume(String connectionId) {
        return MAPPER.createObjectNode().put("connection", connectionId).put("action", RESUME).toString();
    }
}
