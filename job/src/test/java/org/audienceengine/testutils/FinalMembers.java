package org.audienceengine.testutils;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The membership that a list of deltas (JSON lines, in seq order per pair) ends in. */
public final class FinalMembers {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private FinalMembers() {}

    /** Per audience, the last delta of each member whose last delta is an add. */
    public static Map<Integer, Map<Long, JsonNode>> of(List<String> deltaLines) {
        Map<String, JsonNode> last = new HashMap<>();
        for (String line : deltaLines) {
            JsonNode d;
            try {
                d = MAPPER.readTree(line);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            last.put(d.get("audience_id").asInt() + ":" + d.get("mpid").asLong(), d);
        }
        Map<Integer, Map<Long, JsonNode>> members = new HashMap<>();
        for (JsonNode d : last.values()) {
            if (d.get("action").asText().equals("add")) {
                members.computeIfAbsent(d.get("audience_id").asInt(), k -> new HashMap<>()).put(d.get("mpid").asLong(), d);
            }
        }
        return members;
    }
}
