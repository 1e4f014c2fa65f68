package org.audienceengine.delivery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Validates a connections document (connections.md): every error as {@code "<json path>:
 * <message>"}, all of them, like the audience definitions. Secrets must be references
 * ({@code {"env": NAME}} or {@code {"file": PATH}}), never values: a secret written into the file
 * is an error, and its value is never repeated in the message.
 */
public final class ConnectionsValidator {
    static final Set<String> OUTPUTS = Set.of("mailchimp", "braze", "webhook", "kafka", "file");
    private static final Set<String> CONNECTION_KEYS = Set.of("id", "output", "audiences", "environment", "enabled", "settings");
    /** Delivery settings every partner output takes (connections.md "Delivery rules"). */
    private static final Set<String> DELIVERY_KEYS = Set.of(
            "timeout_ms", "max_attempts", "max_retry_ms", "initial_backoff_ms", "max_backoff_ms", "fault_after_failures");
    private static final Map<String, Set<String>> SETTINGS_KEYS = Map.of(
            "mailchimp", Set.of("base_url", "api_key", "list_id", "double_opt_in", "delete_on_subscription_end", "max_concurrency"),
            "braze", Set.of("base_url", "api_key", "send_segments_as", "max_wait_ms", "requests_per_3s", "max_concurrency"),
            "webhook", Set.of("url", "secret", "max_batch", "max_wait_ms", "max_concurrency"),
            "kafka", Set.of("topic", "bootstrap_servers"),
            "file", Set.of("path"));
    private static final Map<String, List<String>> REQUIRED = Map.of(
            "mailchimp", List.of("base_url", "api_key", "list_id"),
            "braze", List.of("base_url", "api_key"),
            "webhook", List.of("url", "secret"),
            "kafka", List.of("topic"),
            "file", List.of("path"));
    private static final Set<String> SECRETS = Set.of("api_key", "secret");
    private static final Set<String> URLS = Set.of("base_url", "url");
    private static final Set<String> BOOLEANS = Set.of("double_opt_in", "delete_on_subscription_end");
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final List<String> errors = new ArrayList<>();
    private final Set<Integer> knownAudiences;

    private ConnectionsValidator(Set<Integer> knownAudiences) {
        this.knownAudiences = knownAudiences;
    }

    /** @param knownAudiences ids of the audiences in force, or null not to check references */
    public static List<String> validate(String json, Set<Integer> knownAudiences) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            String message = e.getOriginalMessage();
            return List.of("$: not valid JSON: " + (message == null ? "" : message.lines().findFirst().orElse("")));
        }
        ConnectionsValidator v = new ConnectionsValidator(knownAudiences);
        v.root(root);
        return v.errors;
    }

    private void root(JsonNode root) {
        if (root == null || !root.isObject()) {
            errors.add("$: must be an object");
            return;
        }
        unknownKeys(root, Set.of("connections"), "");
        JsonNode list = root.get("connections");
        if (list == null || !list.isArray()) {
            errors.add("connections: " + (list == null ? "is required" : "must be a list"));
            return;
        }
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            connection(list.get(i), "connections[" + i + "]", ids);
        }
    }

    private void connection(JsonNode c, String path, Set<String> ids) {
        if (!c.isObject()) {
            errors.add(path + ": must be an object");
            return;
        }
        unknownKeys(c, CONNECTION_KEYS, path + ".");
        JsonNode id = c.get("id");
        if (id == null || !id.isTextual() || id.textValue().isBlank() || id.textValue().length() > 100) {
            errors.add(path + ".id: " + (id == null ? "is required" : "must be a string of 1 to 100 characters"));
        } else if (!ids.add(id.textValue())) {
            errors.add(path + ".id: duplicate id " + id.textValue());
        }
        JsonNode output = c.get("output");
        String kind = output != null && output.isTextual() && OUTPUTS.contains(output.textValue()) ? output.textValue() : null;
        if (kind == null) {
            errors.add(path + ".output: " + (output == null ? "is required" : "must be one of mailchimp, braze, webhook, kafka, file"));
        }
        audiences(c.get("audiences"), path + ".audiences");
        JsonNode env = c.get("environment");
        if (env != null && !(env.isTextual() && Set.of("production", "development").contains(env.textValue()))) {
            errors.add(path + ".environment: must be production or development");
        }
        JsonNode enabled = c.get("enabled");
        if (enabled != null && !enabled.isBoolean()) {
            errors.add(path + ".enabled: must be true or false");
        }
        JsonNode settings = c.get("settings");
        if (settings == null || !settings.isObject()) {
            errors.add(path + ".settings: " + (settings == null ? "is required" : "must be an object"));
        } else if (kind != null) {
            settings(kind, settings, path + ".settings");
        }
    }

    private void audiences(JsonNode list, String path) {
        if (list == null || !list.isArray() || list.isEmpty()) {
            errors.add(path + ": " + (list == null ? "is required" : "must be a non-empty list of audience ids"));
            return;
        }
        for (int i = 0; i < list.size(); i++) {
            JsonNode id = list.get(i);
            if (!id.isIntegralNumber() || !id.canConvertToInt() || id.intValue() < 1) {
                errors.add(path + "[" + i + "]: must be an audience id");
            } else if (knownAudiences != null && !knownAudiences.contains(id.intValue())) {
                errors.add(path + "[" + i + "]: unknown audience " + id.intValue());
            }
        }
    }

    private void settings(String kind, JsonNode s, String path) {
        Set<String> allowed = new HashSet<>(SETTINGS_KEYS.get(kind));
        if (!kind.equals("kafka") && !kind.equals("file")) {
            allowed.addAll(DELIVERY_KEYS);
        }
        unknownKeys(s, allowed, path + ".");
        for (String key : REQUIRED.get(kind)) {
            if (!s.has(key)) {
                errors.add(path + "." + key + ": is required");
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = s.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode v = e.getValue();
            String at = path + "." + key;
            if (SECRETS.contains(key)) {
                secretReference(v, at);
            } else if (URLS.contains(key)) {
                if (!v.isTextual() || !(v.textValue().startsWith("http://") || v.textValue().startsWith("https://"))) {
                    errors.add(at + ": must be an http:// or https:// URL");
                }
            } else if (BOOLEANS.contains(key)) {
                if (!v.isBoolean()) {
                    errors.add(at + ": must be true or false");
                }
            } else if (key.equals("send_segments_as")) {
                if (!(v.isTextual() && Set.of("single_attribute", "attribute_per_segment", "both").contains(v.textValue()))) {
                    errors.add(at + ": must be single_attribute, attribute_per_segment or both");
                }
            } else if (key.equals("max_batch")) {
                positive(v, at, 1, 10_000);
            } else if (key.equals("max_concurrency")) {
                positive(v, at, 1, 1_000);
            } else if (key.endsWith("_ms") || key.equals("max_attempts") || key.equals("requests_per_3s")
                    || key.equals("fault_after_failures")) {
                positive(v, at, 1, Integer.MAX_VALUE);
            } else if (SETTINGS_KEYS.get(kind).contains(key) && !(v.isTextual() && !v.textValue().isBlank())) {
                errors.add(at + ": must be a non-empty string");
            }
        }
    }

    private void secretReference(JsonNode v, String at) {
        boolean reference = v.isObject() && v.size() == 1
                && ((v.has("env") && v.get("env").isTextual() && !v.get("env").textValue().isBlank())
                        || (v.has("file") && v.get("file").isTextual() && !v.get("file").textValue().isBlank()));
        if (!reference) {
            // Never echo the value: it may be the secret itself.
            errors.add(at + ": must be {\"env\": NAME} or {\"file\": PATH}; secrets are never written in this file");
        }
    }

    private void positive(JsonNode v, String at, long min, long max) {
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < min || v.longValue() > max) {
            errors.add(at + ": must be an integer from " + min + " to " + max);
        }
    }

    private void unknownKeys(JsonNode node, Set<String> allowed, String prefix) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!allowed.contains(key)) {
                errors.add(prefix + key + ": unknown key");
            }
        }
    }
}
