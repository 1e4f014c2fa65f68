package org.audienceengine.connectors.delivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.Serializable;
import java.util.List;

/**
 * What the dead-letter topic gets for a call that failed for good: the deltas, the request and
 * the partner's last answer, so that a re-drive tool can replay it once the cause is fixed.
 * Built only from {@link PartnerRequest#headers()} (never the credential headers), with every
 * secret value of the connection masked in the URL and both bodies, and the response body cut
 * to {@link #MAX_RESPONSE_CHARS}.
 */
public record DeadLetter(String connectionId, String output, List<String> deltaIds, String method, String url,
                         String requestBody, int lastStatus, String responseBody, String reason, int attempts)
        implements Serializable {

    public static final int MAX_RESPONSE_CHARS = 4096;
    private static final ObjectMapper JSON = new ObjectMapper();

    public static DeadLetter of(String connectionId, String output, List<String> deltaIds, PartnerRequest request,
                         int lastStatus, String responseBody, String reason, int attempts, List<Secret> secrets) {
        String response = responseBody == null ? "" : responseBody;
        if (response.length() > MAX_RESPONSE_CHARS) {
            response = response.substring(0, MAX_RESPONSE_CHARS) + "…";
        }
        return new DeadLetter(connectionId, output, List.copyOf(deltaIds), request.method(),
                mask(request.url(), secrets), mask(request.bodyText(), secrets), lastStatus,
                mask(response, secrets), mask(reason, secrets), attempts);
    }

    /** Belt and braces: a partner echoing a key back, or a key in a URL, is masked too. */
    private static String mask(String text, List<Secret> secrets) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (Secret s : secrets) {
            if (!s.reveal().isEmpty()) {
                out = out.replace(s.reveal(), "***");
            }
        }
        return out;
    }

    /** One JSON line for {@code delivery-dlq} / {@code delivery-dlq.jsonl}. */
    public String toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("connection_id", connectionId);
        n.put("output", output);
        deltaIds.forEach(n.putArray("delta_ids")::add);
        ObjectNode req = n.putObject("request");
        req.put("method", method);
        req.put("url", url);
        req.put("body", requestBody);
        n.put("last_status", lastStatus);
        n.put("response_body", responseBody);
        n.put("reason", reason);
        n.put("attempts", attempts);
        return n.toString();
    }
}
