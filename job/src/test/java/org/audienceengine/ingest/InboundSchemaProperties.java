package org.audienceengine.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

import org.audienceengine.ingest.Rejection.Reason;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Batches generated from mParticle's inbound schema are applied or dead-lettered exactly as
 * events.md says: accepted, with integers and booleans as their JSON text and null as absent,
 * unless an identity or request id is a non-integer number (wrong type) or the batch has no
 * identity at all.
 */
class InboundSchemaProperties {
    private static final long RECEIVED_AT = 1_767_225_600_000L;

    @Provide
    Arbitrary<ObjectNode> batches() {
        return Arbitraries.randomValue(InboundSchemaBatches::generate);
    }

    @Property(tries = 2_000)
    void everySchemaBatchIsAcceptedOrRejectedAsTheContractSays(@ForAll("batches") ObjectNode json) {
        BatchParser.Result result = BatchParser.parse(json.toString().getBytes(StandardCharsets.UTF_8), RECEIVED_AT);
        Reason expected = expectedRejection(json);
        Statistics.label("outcome").collect(expected == null ? "accepted" : expected.label());
        if (expected != null) {
            assertThat(result.ok()).as("rejected: %s", json).isFalse();
            assertThat(result.rejection().reason()).as("%s for %s", result.rejection(), json).isEqualTo(expected);
            return;
        }
        assertThat(result.rejection()).as("accepted: %s", json).isNull();
        Batch batch = result.batch();
        assertThat(batch.environment).isEqualTo(json.get("environment").textValue());
        assertThat(batch.sourceRequestId).isEqualTo(text(json.get("source_request_id")));
        assertThat(batch.userIdentities).isEqualTo(identities(json.get("user_identities")));
        assertThat(batch.userAttributes).isEqualTo(attributes(json.get("user_attributes")));
        assertThat(batch.consent.keySet()).isEqualTo(consented(json.path("consent_state").path("gdpr")).keySet());
        consented(json.path("consent_state").path("gdpr")).forEach((purpose, consented) ->
                assertThat(batch.consent.get(purpose).consented).isEqualTo(consented));
        JsonNode events = json.get("events");
        assertThat(batch.events).hasSize(events == null || events.isNull() ? 0 : events.size());
    }

    /** events.md, read independently of the parser. */
    private static Reason expectedRejection(ObjectNode json) {
        if (fraction(json.get("source_request_id"))) {
            return Reason.WRONG_TYPE;
        }
        JsonNode ids = json.get("user_identities");
        if (ids != null && ids.isObject()) {
            for (JsonNode value : ids) {
                if (fraction(value)) {
                    return Reason.WRONG_TYPE;
                }
            }
        }
        boolean mpid = json.has("mpid") && !json.get("mpid").isNull();
        boolean derivable = ids != null && ids.isObject() && (present(ids.get("customer_id")) || present(ids.get("email")));
        return mpid || derivable ? null : Reason.NO_IDENTITY;
    }

    private static boolean fraction(JsonNode node) {
        return node != null && node.isNumber() && !node.isIntegralNumber();
    }

    private static boolean present(JsonNode node) {
        return node != null && !node.isNull();
    }

    /** A string, or an integer or boolean as its JSON text; null or absent is absent. */
    private static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.isTextual() ? node.textValue() : node.asText();
    }

    private static Map<String, String> identities(JsonNode node) {
        Map<String, String> out = new HashMap<>();
        if (node != null && node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String value = text(e.getValue());
                out.put(e.getKey(), value != null && e.getKey().equals("email") ? value.trim().toLowerCase() : value);
            }
        }
        return out;
    }

    private static Map<String, Object> attributes(JsonNode node) {
        Map<String, Object> out = new HashMap<>();
        if (node != null && node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode v = e.getValue();
                Object value;
                if (v.isNull()) {
                    value = null;
                } else if (v.isArray()) {
                    List<String> list = new ArrayList<>();
                    v.forEach(item -> {
                        if (!item.isNull()) {
                            list.add(item.isNumber() ? item.decimalValue().stripTrailingZeros().toPlainString() : item.asText());
                        }
                    });
                    value = list;
                } else if (v.isNumber()) {
                    value = v.decimalValue().stripTrailingZeros();
                } else if (v.isBoolean()) {
                    value = v.booleanValue();
                } else {
                    value = v.textValue();
                }
                out.put(e.getKey(), value);
            }
        }
        return out;
    }

    /** Purposes with a record whose consented is not null. */
    private static Map<String, Boolean> consented(JsonNode gdpr) {
        Map<String, Boolean> out = new HashMap<>();
        if (gdpr.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = gdpr.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isNull() && !e.getValue().path("consented").isNull()) {
                    out.put(e.getKey(), e.getValue().get("consented").booleanValue());
                }
            }
        }
        return out;
    }
}
