package org.audienceengine.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

import org.audienceengine.connectors.delivery.AudienceChange;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * Control messages for connections ({@code {"connection": "mc-newsletter", "action": "resume"}}),
 * carried to every delivery instance as change records without a delta id.
 */
public final class ControlMessages implements FlatMapFunction<String, AudienceChange> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ControlMessages.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    public static boolean isControl(AudienceChange change) {
        return change.deltaId == null;
    }

    @Override
    public void flatMap(String json, Collector<AudienceChange> out) {
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (IOException e) {
            LOG.warn("Ignored a connection control message that is not JSON");
            return;
        }
        String connection = node == null ? null : node.path("connection").asText(null);
        String action = node == null ? null : node.path("action").asText(null);
        if (connection == null || !PartnerCallFunction.RESUME.equals(action)) {
            LOG.warn("Ignored a connection control message without a connection and a known action (resume)");
            return;
        }
        AudienceChange control = new AudienceChange();
        control.connectionId = connection;
        control.action = action;
        out.collect(control);
    }
}
