package org.audienceengine.erasure;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The completion record of deltas.md, as JSON text. */
public final class ErasureCompletion {
    public static final String COMPLETED = "completed";
    public static final String NOT_FOUND = "not_found";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ErasureCompletion() {}

    public static String json(String requestId, Long mpid, String status, long completedAt, int audiencesRemoved) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("request_id", requestId);
        if (mpid == null) {
            node.putNull("mpid");
        } else {
            node.put("mpid", mpid);
        }
        node.put("status", status);
        node.put("completed_at", completedAt);
        node.put("audiences_removed", audiencesRemoved);
        return node.toString();
    }
}
