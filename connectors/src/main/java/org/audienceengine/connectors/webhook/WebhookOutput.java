package org.audienceengine.connectors.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.audienceengine.connectors.delivery.AudienceChange;
import org.audienceengine.connectors.delivery.PartnerOutput;
import org.audienceengine.connectors.delivery.PartnerRequest;
import org.audienceengine.connectors.delivery.Secret;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The {@code webhook} output: Firehose-style JSON batches, signed with HMAC-SHA256.
 *
 * <p>The batch id and the {@code Idempotency-Key} are a name-based UUID of the batch's sorted
 * delta ids: the same deltas give the same key on every retry and after a restart, so a receiver
 * that deduplicates by key applies each batch once. The member key is the mpid; every user
 * matches.
 */
public final class WebhookOutput implements PartnerOutput {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String url;
    private final int maxBatch;
    private final long maxWaitMs;
    private final int maxConcurrency;
    private final Secret secret;
    private final Clock clock;

    public WebhookOutput(JsonNode settings, Secret secret) {
        this(settings, secret, Clock.systemUTC());
    }

    public WebhookOutput(JsonNode settings, Secret secret, Clock clock) {
        this.url = settings.path("url").asText();
        this.maxBatch = settings.path("max_batch").asInt(100);
        this.maxWaitMs = settings.path("max_wait_ms").asLong(1_000);
        this.maxConcurrency = settings.path("max_concurrency").asInt(10);
        this.secret = secret;
        this.clock = clock;
    }

    @Override
    public String kind() {
        return "webhook";
    }

    @Override
    public String orderingKey(AudienceChange change) {
        return Long.toString(change.mpid);
    }

    @Override
    public int maxBatch() {
        return maxBatch;
    }

    @Override
    public long maxWaitMs() {
        return maxWaitMs;
    }

    @Override
    public int maxConcurrency() {
        return maxConcurrency;
    }

    @Override
    public int requestsPer3s() {
        return 0;
    }

    /** The batch id and Idempotency-Key of a set of deltas: independent of their order. */
    public static String batchId(List<String> deltaIds) {
        List<String> sorted = new ArrayList<>(deltaIds);
        sorted.sort(null);
        return UUID.nameUUIDFromBytes(String.join("\n", sorted).getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** {@code sha256=<hex HMAC-SHA256 of body>}. */
    public static String signature(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from the JDK", e);
        }
    }

    @Override
    public PartnerRequest request(List<AudienceChange> batch) {
        if (batch.isEmpty()) {
            throw new IllegalArgumentException("empty webhook batch");
        }
        List<String> deltaIds = new ArrayList<>();
        // One profile per user and identity set, its audiences in batch order: a remove may carry
        // the identities the user was added with, which can differ from those of another audience.
        Map<String, List<AudienceChange>> byUser = new LinkedHashMap<>();
        for (AudienceChange c : batch) {
            deltaIds.add(c.deltaId);
            String profileKey = c.mpid + "\u0000" + joined(c.identityTypes) + "\u0000" + joined(c.identityValues);
            byUser.computeIfAbsent(profileKey, k -> new ArrayList<>()).add(c);
        }
        String id = batchId(deltaIds);
        ObjectNode body = JSON.createObjectNode();
        body.put("id", id);
        body.put("timestamp_ms", clock.millis());
        ArrayNode profiles = body.putArray("user_profiles");
        byUser.forEach((profileKey, changes) -> {
            AudienceChange first = changes.get(0);
            ObjectNode p = profiles.addObject();
            p.put("mpid", first.mpid);
            ArrayNode ids = p.putArray("user_identities");
            for (int i = 0; first.identityTypes != null && first.identityValues != null
                    && i < Math.min(first.identityTypes.length, first.identityValues.length); i++) {
                ids.addObject().put("type", first.identityTypes[i]).put("value", first.identityValues[i]);
            }
            ArrayNode audiences = p.putArray("audiences");
            for (AudienceChange c : changes) {
                audiences.addObject()
                        .put("audience_id", c.audienceId)
                        .put("audience_name", c.audienceName)
                        .put("action", c.isAdd() ? "add" : "delete")
                        .put("delta_id", c.deltaId);
            }
        });
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("Idempotency-Key", id);
        headers.put("X-Signature", signature(secret.reveal(), bytes));
        return new PartnerRequest("POST", url, headers, Map.of(), bytes);
    }

    private static String joined(String[] values) {
        return values == null ? "" : String.join("\u0001", Arrays.asList(values));
    }

    @Override
    public List<Secret> secrets() {
        return List.of(secret);
    }

    @Override
    public String toString() {
        return "WebhookOutput{url=" + url + "}";
    }
}
