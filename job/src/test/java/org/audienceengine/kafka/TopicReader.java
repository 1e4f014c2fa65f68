package org.audienceengine.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A topic's committed records as JSON, per partition in log order (see {@link CommittedRecords}). */
public final class TopicReader {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private TopicReader() {}

    public static Map<Integer, List<JsonNode>> readCommitted(String bootstrapServers, String topic) {
        Map<Integer, List<JsonNode>> byPartition = new TreeMap<>();
        CommittedRecords.byPartition(bootstrapServers, topic).forEach((partition, values) -> {
            List<JsonNode> nodes = new ArrayList<>();
            values.forEach(v -> nodes.add(parse(v)));
            byPartition.put(partition, nodes);
        });
        return byPartition;
    }

    private static JsonNode parse(String value) {
        try {
            return MAPPER.readTree(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
