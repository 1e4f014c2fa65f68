package org.audienceengine.definitions;

import com.fasterxml.jackson.databind.JsonNode;

import org.audienceengine.evaluation.Comparison;
import org.audienceengine.evaluation.Condition;
import org.audienceengine.evaluation.Conditions;
import org.audienceengine.evaluation.Conditions.Aggregate;
import org.audienceengine.evaluation.EventMatcher;
import org.audienceengine.evaluation.EventSeries;
import org.audienceengine.evaluation.Op;
import org.audienceengine.evaluation.Window;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Compiles a document that {@link DefinitionsValidator} accepted into an {@link AudienceSet}. */
final class DefinitionsCompiler {
    private final Map<Long, EventSeries> series = new HashMap<>();
    private final List<Window> firstSeen = new ArrayList<>();
    /** A slot per distinct series, window and aggregate (Conditions.EventAggregate#slot). */
    private final Map<List<Object>, Integer> aggregateSlots = new HashMap<>();

    static AudienceSet compile(JsonNode root, String source) {
        DefinitionsCompiler compiler = new DefinitionsCompiler();
        List<Audience> audiences = new ArrayList<>();
        Map<Integer, String> fingerprints = new HashMap<>();
        for (JsonNode a : root.get("audiences")) {
            // What decides membership: criteria and enabled; names are only labels.
            fingerprints.put(a.get("id").intValue(),
                    (a.has("enabled") ? a.get("enabled").toString() : "true") + a.get("criteria").toString());
            boolean enabled = !a.has("enabled") || a.get("enabled").booleanValue();
            String name = a.get("name").textValue();
            String external = a.has("external_name") ? a.get("external_name").textValue() : name;
            JsonNode criteria = a.get("criteria");
            // A disabled audience has no members: its criteria are never evaluated, so its event
            // conditions need no series.
            Condition condition = enabled ? compiler.condition(criteria) : c -> false;
            audiences.add(new Audience(a.get("id").intValue(), name, external, enabled, condition, CriteriaTrees.hasAudienceCondition(criteria)));
        }
        return new AudienceSet(audiences, compiler.series, compiler.firstSeen, compiler.aggregateSlots.size(), source, fingerprints);
    }

    private Condition condition(JsonNode node) {
        String kind = node.fieldNames().next();
        JsonNode body = node.get(kind);
        return switch (kind) {
            case "and" -> new Conditions.All(children(body));
            case "or" -> new Conditions.Any(children(body));
            case "not" -> new Conditions.Not(condition(body));
            case "event" -> event(body);
            case "user_attribute" -> new Conditions.UserAttribute(body.get("name").textValue(), comparison(body));
            case "identity" -> new Conditions.Identity(body.get("type").textValue(), comparison(body));
            case "device" -> new Conditions.Device(body.get("field").textValue(), comparison(body));
            case "consent" -> new Conditions.Consent(body.get("purpose").textValue(), body.get("consented").booleanValue());
            case "first_seen" -> {
                Window w = Window.of(Windows.windowMillis(body.get("within").textValue()));
                // Each window's edges once: the audiences over it share them.
                if (!firstSeen.contains(w.edges())) {
                    firstSeen.add(w.edges());
                }
                yield new Conditions.FirstSeen(w);
            }
            case "location" -> new Conditions.Near(
                    body.get("latitude").doubleValue(), body.get("longitude").doubleValue(), body.get("radius_km").doubleValue());
            case "audience" -> new Conditions.InAudience(body.get("id").intValue());
            default -> throw new IllegalArgumentException("unknown condition " + kind);
        };
    }

    private List<Condition> children(JsonNode list) {
        List<Condition> out = new ArrayList<>();
        for (JsonNode child : list) {
            out.add(condition(child));
        }
        return out;
    }

    private Condition event(JsonNode body) {
        Window window = Window.of(Windows.windowMillis(body.get("within").textValue()));
        List<EventMatcher.Filter> where = new ArrayList<>();
        if (body.has("where")) {
            for (JsonNode f : body.get("where")) {
                where.add(new EventMatcher.Filter(f.get("attribute").textValue(), comparison(f)));
            }
        }
        EventMatcher matcher = new EventMatcher(
                text(body, "type"), text(body, "name"), text(body, "custom_event_type"), where);
        Aggregate aggregate = Aggregate.COUNT;
        JsonNode compare = null;
        String attribute = null;
        for (Aggregate candidate : Aggregate.values()) {
            String field = candidate.name().toLowerCase(java.util.Locale.ROOT);
            if (body.has(field)) {
                aggregate = candidate;
                compare = body.get(field);
                attribute = candidate == Aggregate.COUNT ? null : compare.get("attribute").textValue();
            }
        }
        Comparison comparison = compare == null
                ? new Comparison(Op.GTE, BigDecimal.ONE)
                : comparison(compare);
        long key = seriesKey(body, attribute, window.bucketMillis());
        String seriesAttribute = attribute;
        EventSeries s = series.computeIfAbsent(
                key, k -> new EventSeries(k, matcher, seriesAttribute, window.bucketMillis()));
        s.addWindow(window);
        int slot = aggregateSlots.computeIfAbsent(List.of(key, window, aggregate), k -> aggregateSlots.size());
        return new Conditions.EventAggregate(key, window, aggregate, comparison, slot);
    }

    private static String text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        return v == null || v.isNull() ? null : v.textValue();
    }

    static Comparison comparison(JsonNode body) {
        Op op = Op.fromJson(body.get("op").textValue());
        JsonNode value = body.get("value");
        Object v;
        if (op == Op.BETWEEN) {
            v = new BigDecimal[] {value.get(0).decimalValue(), value.get(1).decimalValue()};
        } else if (op == Op.IN) {
            List<Object> values = new ArrayList<>();
            for (JsonNode element : value) {
                values.add(scalar(element));
            }
            v = List.copyOf(values);
        } else {
            v = value == null ? null : scalar(value);
        }
        return new Comparison(op, v);
    }

    private static Object scalar(JsonNode node) {
        if (node.isNumber()) {
            return node.decimalValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        return node.textValue();
    }

    /**
     * A stable 64-bit key for an event series: the first 8 bytes of SHA-256 over the condition's
     * filter fields, the aggregate attribute and the bucket size. The window itself is left out so
     * that conditions differing only in window share buckets.
     */
    static long seriesKey(JsonNode eventBody, String attribute, long bucketMillis) {
        StringBuilder canonical = new StringBuilder();
        for (String field : List.of("type", "name", "custom_event_type")) {
            JsonNode v = eventBody.get(field);
            String text = v == null ? "" : v.textValue();
            canonical.append(field.equals("name") ? text.toLowerCase(java.util.Locale.ROOT) : text).append('\u0000');
        }
        JsonNode where = eventBody.get("where");
        canonical.append(where == null ? "[]" : where.toString()).append('\u0000');
        canonical.append(attribute == null ? "" : attribute).append('\u0000').append(bucketMillis);
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
            long key = 0;
            for (int i = 0; i < 8; i++) {
                key = (key << 8) | (h[i] & 0xff);
            }
            return key;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
