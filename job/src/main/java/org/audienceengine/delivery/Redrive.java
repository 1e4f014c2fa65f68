package org.audienceengine.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.audienceengine.connectors.delivery.Secret;
import org.audienceengine.connectors.delivery.SecretResolver;
import org.audienceengine.connectors.webhook.WebhookOutput;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Re-sends dead-lettered partner calls once their cause is fixed. A dead letter holds the request
 * without its credentials; they are added again here from the connections document's secret
 * references (the webhook signature is computed anew over the same body, and the
 * Idempotency-Key is the batch's, so a partner that already took the batch takes it once).
 * Calls are sent one at a time, in the dead letters' order, so per-user order is kept.
 */
public final class Redrive {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** What happened to one dead letter. */
    public record Outcome(String connectionId, List<String> deltaIds, int status, boolean delivered) {}

    private final Map<String, JsonNode> connections = new HashMap<>();
    private final SecretResolver secrets;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    public Redrive(String connectionsJson, SecretResolver secrets) throws IOException {
        for (JsonNode c : MAPPER.readTree(connectionsJson).path("connections")) {
            connections.put(c.get("id").textValue(), c);
        }
        this.secrets = secrets;
    }

    public List<Outcome> resend(List<String> deadLetterLines) throws IOException, InterruptedException {
        List<Outcome> outcomes = new ArrayList<>();
        for (String line : deadLetterLines) {
            if (!line.isBlank()) {
                outcomes.add(resend(MAPPER.readTree(line)));
            }
        }
        return outcomes;
    }

    private Outcome resend(JsonNode letter) throws IOException, InterruptedException {
        String id = letter.path("connection_id").asText();
        List<String> deltaIds = new ArrayList<>();
        letter.path("delta_ids").forEach(d -> deltaIds.add(d.asText()));
        JsonNode connection = connections.get(id);
        if (connection == null) {
            throw new IllegalArgumentException("dead letter of connection '" + id + "', which the connections file does not have");
        }
        JsonNode request = letter.path("request");
        String method = request.path("method").asText();
        String body = request.path("body").isNull() ? null : request.path("body").asText(null);
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        HttpRequest.Builder call = HttpRequest.newBuilder(URI.create(request.path("url").asText()))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(bytes));
        if (body != null) {
            call.header("Content-Type", "application/json");
        }
        JsonNode settings = connection.path("settings");
        switch (connection.path("output").asText()) {
            case "mailchimp" -> {
                Secret key = secrets.resolve(settings.get("api_key"), id + ".api_key");
                call.header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString(("audience-engine:" + key.reveal()).getBytes(StandardCharsets.UTF_8)));
            }
            case "braze" -> call.header("Authorization",
                    "Bearer " + secrets.resolve(settings.get("api_key"), id + ".api_key").reveal());
            case "webhook" -> {
                Secret secret = secrets.resolve(settings.get("secret"), id + ".secret");
                call.header("Idempotency-Key", WebhookOutput.batchId(deltaIds));
                call.header("X-Signature", WebhookOutput.signature(secret.reveal(), bytes));
            }
            default -> throw new IllegalArgumentException("connection '" + id + "' has no partner calls to re-send");
        }
        HttpResponse<Void> response = http.send(call.build(), HttpResponse.BodyHandlers.discarding());
        int status = response.statusCode();
        boolean ok = status / 100 == 2 || (status == 404 && method.equals("DELETE"));
        return new Outcome(id, deltaIds, status, ok);
    }
}
