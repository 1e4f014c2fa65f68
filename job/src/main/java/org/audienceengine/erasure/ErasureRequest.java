package org.audienceengine.erasure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;

/**
 * An erasure request of deltas.md: {@code {"request_id", "type": "erasure", "mpid" |
 * "identity": {"type", "value"}, "received_at"}}. A POJO so Flink serializes it without Kryo.
 */
public class ErasureRequest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    public String requestId;
    /** Null when the request names an identity instead. */
    public Long mpid;
    public String identityType;
    public String identityValue;
    public long receivedAt;

    public ErasureRequest() {}

    public boolean byIdentity() {
        return mpid == null;
    }

    /** The identity index key of this request (see {@link IdentityKeys}). */
    public String identityKey() {
        return IdentityKeys.of(identityType, identityValue);
    }

    /**
     * Parses one request.
     *
     * @param defaultReceivedAt used when the request has no {@code received_at}
     * @throws IllegalArgumentException with a one-line reason when the request is not usable
     */
    public static ErasureRequest parse(byte[] json, long defaultReceivedAt) {
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not valid JSON");
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("request is not a JSON object");
        }
        ErasureRequest r = new ErasureRequest();
        JsonNode id = node.get("request_id");
        if (id == null || !id.isTextual() || id.textValue().isEmpty()) {
            throw new IllegalArgumentException("request_id must be a non-empty string");
        }
        r.requestId = id.textValue();
        JsonNode type = node.get("type");
        if (type != null && !"erasure".equals(type.asText())) {
            throw new IllegalArgumentException("type must be erasure");
        }
        JsonNode at = node.get("received_at");
        if (at != null && !at.isNull() && !at.canConvertToLong()) {
            throw new IllegalArgumentException("received_at must be epoch ms");
        }
        r.receivedAt = at == null || at.isNull() ? defaultReceivedAt : at.longValue();
        JsonNode mpid = node.get("mpid");
        JsonNode identity = node.get("identity");
        if (mpid != null && !mpid.isNull()) {
            if (mpid.isIntegralNumber() && mpid.canConvertToLong()) {
                r.mpid = mpid.longValue();
            } else if (mpid.isTextual() && mpid.textValue().matches("-?[0-9]{1,19}")) {
                r.mpid = Long.parseLong(mpid.textValue());
            } else {
                throw new IllegalArgumentException("mpid must be a 64-bit integer");
            }
        } else if (identity != null && identity.isObject()
                && identity.path("type").isTextual() && identity.path("value").isTextual()) {
            r.identityType = identity.get("type").textValue();
            r.identityValue = identity.get("value").textValue();
        } else {
            throw new IllegalArgumentException("request needs an mpid or an identity {type, value}");
        }
        return r;
    }
}
