package org.audienceengine.definitions;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import org.audienceengine.ingest.DeviceIdentities;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks an audience definitions document against audiences.md. A document is accepted or rejected as a whole,
 * so every error is collected, each as {@code "<json path>: <message>"}.
 *
 * <p>Choices the spec leaves open:
 * <ul>
 *   <li>A key present with {@code null} counts as present: null never stands in for an absent optional field,
 *       and {@code "value": null} on {@code exists} is an error.
 *   <li>String lengths (names, 1–100) are counted in Unicode code points.
 *   <li>Event {@code type}: events.md accepts event types it does not know and matches them by name, so any
 *       lower-case identifier ({@code [a-z][a-z0-9_]*}, covering every type events.md lists) is accepted. Upper
 *       case or blanks are rejected: types match exactly and mParticle's are all lower case, so such a type is a
 *       typo that would never match.
 *   <li>A disabled audience is validated like any other, so that enabling it later needs no other change. An
 *       {@code audience} reference to one is still an error.
 * </ul>
 */
public final class DefinitionsValidator {
    public static final int MAX_AUDIENCES = 1000;
    public static final int MAX_DEPTH = 16;
    public static final int MAX_NAME_CHARS = 100;

    private static final String ID_MESSAGE = "must be an integer between 1 and 2147483647";
    private static final String SCALAR_MESSAGE = "must be a string, number or boolean";

    // Duplicate keys would otherwise be resolved silently (last wins), hiding e.g. a second
    // "event" in one condition; trailing garbage would otherwise be ignored.
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final List<String> errors = new ArrayList<>();
    private final Map<Long, Integer> firstIndexById = new HashMap<>();
    private JsonNode audiences;
    private int currentAudience;

    private DefinitionsValidator() {}

    /** Every error of the document text; unparseable JSON is one error at path {@code $}. */
    public static List<String> validate(String jsonText) {
        try {
            JsonNode root = jsonText == null ? MissingNode.getInstance() : MAPPER.readTree(jsonText);
            return root.isMissingNode() ? List.of("$: not valid JSON: no content") : validate(root);
        } catch (JsonProcessingException e) {
            return List.of("$: not valid JSON: " + describe(e));
        }
    }

    /** Every error of the document, in document order; empty when the document is valid. */
    public static List<String> validate(JsonNode root) {
        DefinitionsValidator v = new DefinitionsValidator();
        v.root(root == null ? MissingNode.getInstance() : root);
        return List.copyOf(v.errors);
    }

    private static String describe(JsonProcessingException e) {
        // The original message may embed a "[Source: ...; line, column]" location of its own.
        String message = String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse("")
                .replaceAll("\\[Source: [^;]*; ", "[");
        JsonLocation at = e.getLocation();
        return at == null ? message : message + " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
    }

    private void root(JsonNode root) {
        if (!object(root, "", DefinitionsVocabulary.ROOT_KEYS)) {
            return;
        }
        audiences = root.get("audiences");
        if (!check(audiences != null, "audiences", "is required")
                || !check(audiences.isArray(), "audiences", "must be a list")) {
            return;
        }
        check(audiences.size() <= MAX_AUDIENCES, "audiences",
                "must hold at most " + MAX_AUDIENCES + " audiences, has " + audiences.size());
        // References may point forward, so ids are collected before any audience is checked.
        for (int i = 0; i < audiences.size(); i++) {
            JsonNode id = audiences.get(i).get("id");
            if (isId(id)) {
                firstIndexById.putIfAbsent(id.longValue(), i);
            }
        }
        for (int i = 0; i < audiences.size(); i++) {
            currentAudience = i;
            audience(audiences.get(i), "audiences[" + i + "]");
        }
    }

    private void audience(JsonNode node, String path) {
        if (!object(node, path, DefinitionsVocabulary.AUDIENCE_KEYS)) {
            return;
        }
        JsonNode id = required(node, "id", path);
        if (id != null && check(isId(id), path + ".id", ID_MESSAGE)) {
            int first = firstIndexById.get(id.longValue());
            check(first == currentAudience, path + ".id",
                    "duplicate id " + id.longValue() + ", already used by audiences[" + first + "]");
        }
        nameText(required(node, "name", path), path + ".name");
        nameText(node.get("external_name"), path + ".external_name");
        JsonNode enabled = node.get("enabled");
        check(enabled == null || enabled.isBoolean(), path + ".enabled", "must be a boolean");
        JsonNode criteria = required(node, "criteria", path);
        if (criteria != null) {
            condition(criteria, path + ".criteria", 1);
        }
    }

    /**
     * Depth counts conditions, not JSON objects: the criteria root is level 1 and every child of an and/or/not is
     * one level deeper than its parent; leaf bodies add nothing. Level 17 is reported once, not descended into.
     */
    private void condition(JsonNode node, String path, int depth) {
        if (!check(depth <= MAX_DEPTH, path, "criteria must not be nested deeper than " + MAX_DEPTH + " levels")
                || !check(node.isObject(), path, "must be an object with exactly one condition key")) {
            return;
        }
        List<String> kinds = new ArrayList<>();
        node.fieldNames().forEachRemaining(key -> {
            if (check(DefinitionsVocabulary.CONDITIONS.contains(key), child(path, key), "unknown condition")) {
                kinds.add(key);
            }
        });
        // A node holding only unknown keys has been reported above, key by key.
        check(!node.isEmpty(), path, "must have exactly one condition key, one of " + String.join(", ", DefinitionsVocabulary.CONDITIONS));
        check(kinds.size() <= 1, path,
                "must have exactly one condition key, has " + kinds.size() + ": " + String.join(", ", kinds));
        // With two keys both bodies are still checked, so that one round of fixes suffices.
        for (String kind : kinds) {
            body(kind, node.get(kind), path + "." + kind, depth);
        }
    }

    private void body(String kind, JsonNode node, String path, int depth) {
        if (DefinitionsVocabulary.BODY_KEYS.containsKey(kind) && !object(node, path, DefinitionsVocabulary.BODY_KEYS.get(kind))) {
            return;
        }
        switch (kind) {
            case "and", "or" -> {
                if (check(node.isArray(), path, "must be a list of conditions")
                        && check(!node.isEmpty(), path, "must not be empty")) {
                    for (int j = 0; j < node.size(); j++) {
                        condition(node.get(j), path + "[" + j + "]", depth + 1);
                    }
                }
            }
            case "not" -> condition(node, path, depth + 1);
            case "event" -> event(node, path);
            case "user_attribute" -> comparison(node, path, "name");
            case "identity" -> comparison(node, path, "type");
            case "device" -> comparison(node, path, "field");
            case "consent" -> {
                nonEmptyText(required(node, "purpose", path), path + ".purpose");
                JsonNode consented = required(node, "consented", path);
                check(consented == null || consented.isBoolean(), path + ".consented", "must be a boolean");
            }
            case "first_seen" -> window(node, path);
            case "location" -> {
                range(node, "latitude", path, -90, 90);
                range(node, "longitude", path, -180, 180);
                JsonNode r = required(node, "radius_km", path);
                check(r == null || r.isNumber() && r.doubleValue() > 0 && Double.isFinite(r.doubleValue()),
                        path + ".radius_km", "must be a number greater than 0");
            }
            case "audience" -> audienceReference(node, path);
            default -> throw new IllegalStateException(kind);
        }
    }

    private void event(JsonNode node, String path) {
        JsonNode type = node.get("type");
        check(type == null || type.isTextual() && DefinitionsVocabulary.EVENT_TYPE.matcher(type.textValue()).matches(), path + ".type",
                "must be a lower-case event type such as custom_event or commerce_event");
        nonEmptyText(node.get("name"), path + ".name");
        JsonNode cet = node.get("custom_event_type");
        check(cet == null || cet.isTextual() && DefinitionsVocabulary.CUSTOM_EVENT_TYPES.contains(cet.textValue()),
                path + ".custom_event_type", "must be one of " + String.join(", ", DefinitionsVocabulary.CUSTOM_EVENT_TYPES));
        JsonNode where = node.get("where");
        if (where != null && check(where.isArray(), path + ".where", "must be a list of filters")) {
            for (int k = 0; k < where.size(); k++) {
                String fp = path + ".where[" + k + "]";
                if (object(where.get(k), fp, DefinitionsVocabulary.FILTER_KEYS)) {
                    comparison(where.get(k), fp, "attribute");
                }
            }
        }
        window(node, path);
        List<String> present = DefinitionsVocabulary.AGGREGATES.stream().filter(node::has).toList();
        check(present.size() <= 1, path, "must have at most one of " + String.join(", ", DefinitionsVocabulary.AGGREGATES) + ", has "
                + String.join(", ", present));
        for (String aggregate : present) {
            aggregate(node.get(aggregate), path + "." + aggregate, aggregate.equals("count"));
        }
    }

    /** count: {op, value} over a non-negative integer; sum/min/max/avg: {attribute, op, value}. */
    private void aggregate(JsonNode node, String path, boolean count) {
        if (!object(node, path, count ? Set.of("op", "value") : DefinitionsVocabulary.FILTER_KEYS)) {
            return;
        }
        if (!count) {
            nonEmptyText(required(node, "attribute", path), path + ".attribute");
        }
        String op = op(node, path, DefinitionsVocabulary.AGGREGATE_OPS);
        JsonNode value = op == null ? null : required(node, "value", path);
        if (value != null && op.equals("between")) {
            bounds(value, path + ".value", count);
        } else if (value != null && op.equals("in")) {
            if (check(value.isArray() && !value.isEmpty(), path + ".value",
                    "must be a non-empty list of " + (count ? "non-negative integers" : "numbers"))) {
                numbers(value, path + ".value", count);
            }
        } else if (value != null) {
            check(count ? isCount(value) : value.isNumber(), path + ".value",
                    count ? "must be a non-negative integer" : "must be a number");
        }
    }

    /** user_attribute, identity, device and where filters: {subject, op, value}. */
    private void comparison(JsonNode node, String path, String subject) {
        JsonNode named = required(node, subject, path);
        if (subject.equals("type")) {
            String t = named == null ? null : named.isTextual() ? named.textValue() : "";
            check(t == null || DefinitionsVocabulary.USER_IDENTITY_TYPES.contains(t) || DeviceIdentities.isIdentity(t), path + ".type",
                    "must be a user identity type or a device_info identity field");
        } else {
            nonEmptyText(named, path + "." + subject);
        }
        String op = op(node, path, DefinitionsVocabulary.OPS);
        JsonNode value = node.get("value");
        String vp = path + ".value";
        if (op == null) {
            return;
        } else if (op.equals("exists") || op.equals("not_exists")) {
            check(value == null, vp, "must be absent for op " + op);
            return;
        } else if (!check(value != null, vp, "is required for op " + op)) {
            return;
        }
        switch (op) {
            case "equals", "not_equals" -> check(isScalar(value), vp, SCALAR_MESSAGE);
            case "contains", "not_contains", "matches" -> check(value.isTextual(), vp, "must be a string");
            case "in" -> {
                if (check(value.isArray() && !value.isEmpty(), vp,
                        "must be a non-empty list of strings, numbers or booleans")) {
                    for (int k = 0; k < value.size(); k++) {
                        check(isScalar(value.get(k)), vp + "[" + k + "]", SCALAR_MESSAGE);
                    }
                }
            }
            case "between" -> bounds(value, vp, false);
            default -> check(value.isNumber(), vp, "must be a number");
        }
    }

    private void audienceReference(JsonNode node, String path) {
        JsonNode id = required(node, "id", path);
        String ip = path + ".id";
        if (id == null || !check(isId(id), ip, ID_MESSAGE)) {
            return;
        }
        Integer target = firstIndexById.get(id.longValue());
        if (!check(target != null, ip, "refers to unknown audience " + id.longValue())
                || !check(target != currentAudience, ip, "must not refer to its own audience")) {
            return;
        }
        JsonNode referenced = audiences.get(target);
        JsonNode enabled = referenced.get("enabled");
        // An enabled flag that is not a boolean is reported on its own audience; it counts as enabled here.
        check(enabled == null || !enabled.isBoolean() || enabled.booleanValue(), ip,
                "refers to disabled audience " + id.longValue());
        check(!CriteriaTrees.hasAudienceCondition(referenced.get("criteria")), ip, "refers to audience " + id.longValue()
                + ", which has an audience condition itself (only one level of nesting is allowed)");
    }

    /** The op if it is one of {@code allowed}; null (after reporting) otherwise. */
    private String op(JsonNode node, String path, List<String> allowed) {
        JsonNode op = required(node, "op", path);
        boolean ok = op != null && check(op.isTextual() && allowed.contains(op.textValue()), path + ".op",
                "must be one of " + String.join(", ", allowed));
        return ok ? op.textValue() : null;
    }

    private void bounds(JsonNode value, String path, boolean counts) {
        String kind = counts ? "non-negative integer" : "number";
        if (!check(value.isArray() && value.size() == 2, path, "must be a list [lo, hi] of two " + kind + "s")) {
            return;
        }
        if (numbers(value, path, counts)) {
            check(value.get(0).decimalValue().compareTo(value.get(1).decimalValue()) <= 0, path,
                    "lo must not be greater than hi");
        }
    }

    /** Whether every element of a list is a count (or a number), reporting each that is not. */
    private boolean numbers(JsonNode list, String path, boolean counts) {
        boolean all = true;
        for (int k = 0; k < list.size(); k++) {
            JsonNode n = list.get(k);
            all &= check(counts ? isCount(n) : n.isNumber(), path + "[" + k + "]",
                    counts ? "must be a non-negative integer" : "must be a number");
        }
        return all;
    }

    private void window(JsonNode node, String path) {
        JsonNode within = required(node, "within", path);
        try {
            if (within != null) {
                Windows.windowMillis(within.isTextual() ? within.textValue() : null);
            }
        } catch (IllegalArgumentException e) {
            check(false, path + ".within", e.getMessage());
        }
    }

    private void range(JsonNode node, String key, String path, int lo, int hi) {
        JsonNode v = required(node, key, path);
        check(v == null || v.isNumber() && v.doubleValue() >= lo && v.doubleValue() <= hi, path + "." + key,
                "must be a number between " + lo + " and " + hi);
    }

    /** Absent (null) passes here and in nonEmptyText: the caller decides whether the field is required. */
    private void nameText(JsonNode v, String path) {
        check(v == null || v.isTextual() && !v.textValue().isEmpty()
                        && v.textValue().codePointCount(0, v.textValue().length()) <= MAX_NAME_CHARS,
                path, "must be a string of 1 to " + MAX_NAME_CHARS + " characters");
    }

    private void nonEmptyText(JsonNode v, String path) {
        check(v == null || v.isTextual() && !v.textValue().isEmpty(), path, "must be a non-empty string");
    }

    /** Whether the node is an object; reports it if not, and reports each of its keys not in {@code keys}. */
    private boolean object(JsonNode node, String path, Set<String> keys) {
        node.fieldNames().forEachRemaining(key -> check(keys.contains(key), child(path, key), "unknown key"));
        return check(node.isObject(), path, "must be an object");
    }

    private JsonNode required(JsonNode node, String key, String path) {
        JsonNode v = node.get(key);
        check(v != null, path + "." + key, "is required");
        return v;
    }

    private static boolean isId(JsonNode id) {
        return id != null && id.isIntegralNumber() && id.canConvertToLong()
                && id.longValue() >= 1 && id.longValue() <= Integer.MAX_VALUE;
    }

    private static boolean isCount(JsonNode v) {
        return v.isIntegralNumber() && v.bigIntegerValue().signum() >= 0;
    }

    private static boolean isScalar(JsonNode v) {
        return v.isTextual() || v.isNumber() || v.isBoolean();
    }

    /** Keys that are not plain identifiers are quoted, so that the path stays unambiguous. */
    private static String child(String path, String key) {
        if (DefinitionsVocabulary.PLAIN_KEY.matcher(key).matches()) {
            return path.isEmpty() ? key : path + "." + key;
        }
        return (path.isEmpty() ? "$" : path) + "[\"" + key.replace("\\", "\\\\").replace("\"", "\\\"") + "\"]";
    }

    /** Reports the error unless {@code ok}; returns {@code ok} so that checks can guard what follows. */
    private boolean check(boolean ok, String path, String message) {
        if (!ok) {
            errors.add((path.isEmpty() ? "$" : path) + ": " + message);
        }
        return ok;
    }
}
