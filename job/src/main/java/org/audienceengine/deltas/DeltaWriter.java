package org.audienceengine.deltas;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Objects;

/**
 * Writes deltas as {@link DeltaJson#toBytes} does, byte for byte, for one thread. The deltas of one
 * batch or timer carry the same identities, attributes and environment, the larger part of each
 * delta's JSON: those fields are written once and their bytes reused while they stay equal.
 */
public final class DeltaWriter {
    private final ByteArrayBuilder buffer = new ByteArrayBuilder(512);
    private Tail tail;
    private byte[] tailBytes;

    /** The fields from {@code identities} on, in the wire order of {@link MembershipDelta}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"identities", "device_identities", "user_attributes", "environment"})
    record Tail(
            @JsonProperty("identities") Map<String, String> identities,
            @JsonProperty("device_identities") Map<String, String> deviceIdentities,
            @JsonProperty("user_attributes") Map<String, Object> userAttributes,
            @JsonProperty("environment") String environment) {}

    public byte[] toBytes(MembershipDelta d) {
        Tail wanted = new Tail(d.identities, d.deviceIdentities, d.userAttributes, d.environment);
        if (tail == null || !sameTail(tail, wanted)) {
            tail = wanted;
            tailBytes = tailBytes(wanted);
        }
        buffer.reset();
        try (JsonGenerator g = DeltaJson.MAPPER.getFactory().createGenerator(buffer)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_JSON_CONTENT);
            g.writeStartObject();
            writeString(g, "delta_id", d.deltaId);
            g.writeNumberField("audience_id", d.audienceId);
            writeString(g, "audience_name", d.audienceName);
            writeString(g, "external_name", d.externalName);
            g.writeNumberField("mpid", d.mpid);
            writeString(g, "action", d.action);
            writeString(g, "reason", d.reason);
            g.writeNumberField("effective_at", d.effectiveAt);
            g.writeNumberField("seq", d.seq);
            g.writeNumberField("profile_created_at", d.profileCreatedAt);
            g.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        buffer.write(tailBytes);
        return buffer.toByteArray();
    }

    private static void writeString(JsonGenerator g, String name, String value) throws IOException {
        if (value != null) {
            g.writeStringField(name, value);
        }
    }

    /** {@code ,"identities":…,"environment":…}} as the mapper writes them, or {@code }} when all are absent. */
    private static byte[] tailBytes(Tail t) {
        byte[] object = DeltaJson.write(t);
        if (object.length == 2) {
            return new byte[] {'}'};
        }
        object[0] = ',';
        return object;
    }

    private static boolean sameTail(Tail a, Tail b) {
        return same(a.identities, b.identities) && same(a.deviceIdentities, b.deviceIdentities)
                && same(a.userAttributes, b.userAttributes) && Objects.equals(a.environment, b.environment);
    }

    /** Equal maps write equal JSON only in the same order; the engine's maps are sorted. */
    private static boolean same(Map<String, ?> a, Map<String, ?> b) {
        if (a == b) {
            return true;
        }
        if (a == null || b == null || a.size() != b.size()) {
            return false;
        }
        var i = a.entrySet().iterator();
        var j = b.entrySet().iterator();
        while (i.hasNext()) {
            var x = i.next();
            var y = j.next();
            // BigDecimal's equals tells 1.5E+3 from 1500, as their JSON does.
            if (!x.getKey().equals(y.getKey()) || !Objects.equals(x.getValue(), y.getValue())) {
                return false;
            }
        }
        return true;
    }
}
