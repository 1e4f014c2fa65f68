package org.audienceengine.connectors.braze;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.audienceengine.connectors.delivery.AudienceChange;
import org.audienceengine.connectors.delivery.PartnerOutput;
import org.audienceengine.connectors.delivery.PartnerRequest;
import org.audienceengine.connectors.delivery.Secret;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The {@code braze} output: segment membership as attributes of the Braze user whose
 * {@code external_id} is the user's {@code customer_id}, sent through {@code POST /users/track}
 * in batches of at most 75 attribute objects across users.
 *
 * <p>The member key is the external_id; each audience writes its own attribute (or its own element
 * of {@code SegmentMembership}, changed with add/remove, never set whole), so one request may
 * carry several audiences of one user, one attribute object each.
 */
public final class BrazeOutput implements PartnerOutput {

    /** Braze's limit of attribute objects per {@code users/track} request. */
    public static final int MAX_ATTRIBUTE_OBJECTS = 75;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String url;
    private final boolean singleAttribute;
    private final boolean attributePerSegment;
    private final long maxWaitMs;
    private final int requestsPer3s;
    private final int maxConcurrency;
    private final Secret apiKey;

    public BrazeOutput(JsonNode settings, Secret apiKey) {
        String base = settings.path("base_url").asText();
        this.url = (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/users/track";
        String as = settings.path("send_segments_as").asText("single_attribute");
        this.singleAttribute = as.equals("single_attribute") || as.equals("both");
        this.attributePerSegment = as.equals("attribute_per_segment") || as.equals("both");
        this.maxWaitMs = settings.path("max_wait_ms").asLong(500);
        this.requestsPer3s = settings.path("requests_per_3s").asInt(3_000);
        this.maxConcurrency = settings.path("max_concurrency").asInt(10);
        this.apiKey = apiKey;
    }

    @Override
    public String kind() {
        return "braze";
    }

    @Override
    public String orderingKey(AudienceChange change) {
        return externalId(change);
    }

    public static String externalId(AudienceChange change) {
        String id = change.identity("customer_id");
        return id == null || id.isEmpty() ? null : id;
    }

    @Override
    public int maxBatch() {
        return MAX_ATTRIBUTE_OBJECTS;
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
        return requestsPer3s;
    }

    @Override
    public PartnerRequest request(List<AudienceChange> batch) {
        if (batch.isEmpty() || batch.size() > MAX_ATTRIBUTE_OBJECTS) {
            throw new IllegalArgumentException("a users/track batch holds 1 to 75 attribute objects");
        }
        ObjectNode body = JSON.createObjectNode();
        ArrayNode attributes = body.putArray("attributes");
        for (AudienceChange c : batch) {
            attributes.add(attributeObject(c));
        }
        return new PartnerRequest("POST", url, Map.of("Content-Type", "application/json"),
                Map.of("Authorization", "Bearer " + apiKey.reveal()),
                body.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** One attribute object: both representations in one object when {@code both}. */
    ObjectNode attributeObject(AudienceChange c) {
        String externalId = externalId(c);
        if (externalId == null) {
            throw new IllegalArgumentException("change " + c.deltaId + " has no customer_id");
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("external_id", externalId);
        if (singleAttribute) {
            o.putObject("SegmentMembership").putArray(c.isAdd() ? "add" : "remove").add(Long.toString(c.audienceId));
        }
        if (attributePerSegment) {
            String name = c.externalName != null && !c.externalName.isEmpty() ? c.externalName : Long.toString(c.audienceId);
            o.put("In " + name, c.isAdd());
        }
        return o;
    }

    @Override
    public List<Secret> secrets() {
        return List.of(apiKey);
    }

    @Override
    public String toString() {
        return "BrazeOutput{url=" + url + "}";
    }
}
