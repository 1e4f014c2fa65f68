package org.audienceengine.connectors.partnersim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Braze {@code POST /users/track}, attributes only, served under {@code /braze/}. Segment
 * membership arrives either as the array attribute {@code SegmentMembership} (set, or modified
 * with {@code add}/{@code remove}) or as booleans named {@code "In <name>"}; the simulator keeps
 * the segment set and the other attributes per {@code external_id}. A request is validated as a
 * whole before anything is applied, so a 400 never leaves half a batch behind.
 */
final class BrazeApi extends SimulatedPartner {

    static final int MAX_ATTRIBUTE_OBJECTS = 75;
    private static final String CONTEXT = "/braze/";
    private static final String SEGMENTS = "SegmentMembership";

    private static final class User {
        final Set<String> segments = new TreeSet<>();
        final Map<String, JsonNode> attributes = new TreeMap<>();
    }

    /** One attribute object, checked and ready to apply. */
    private record Update(String externalId, JsonNode segmentsSet, List<String> add, List<String> remove,
                          Map<String, JsonNode> attributes) {}

    private final String apiKey;
    private final int rateLimit;
    private final long rateWindowMs;
    private final Clock clock;
    /** Start times of the requests admitted within the current window, per key label. */
    private final Map<String, ArrayDeque<Long>> windows = new HashMap<>();
    /** external_id → user; guarded by {@code this}. */
    private final Map<String, User> users = new HashMap<>();

    BrazeApi(String apiKey, int rateLimit, long rateWindowMs, Clock clock) {
        this.apiKey = apiKey;
        this.rateLimit = rateLimit;
        this.rateWindowMs = rateWindowMs;
        this.clock = clock;
    }

    @Override
    String name() {
        return "braze";
    }

    @Override
    String contextPath() {
        return CONTEXT;
    }

    @Override
    String endpoint(HttpExchange ex) {
        return "users/track".equals(Exchanges.pathBelow(ex, CONTEXT)) ? "braze_users_track" : null;
    }

    @Override
    void serve(HttpExchange ex) throws IOException {
        String header = ex.getRequestHeaders().getFirst("Authorization");
        String key = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : "";
        if (!MessageDigest.isEqual(key.getBytes(StandardCharsets.UTF_8), apiKey.getBytes(StandardCharsets.UTF_8))) {
            sendError(ex, 401, "Unauthorized", "Invalid API key");
            return;
        }
        if (!"POST".equals(ex.getRequestMethod())) {
            ex.getResponseHeaders().set("Allow", "POST");
            sendError(ex, 405, "Method Not Allowed", "users/track accepts POST only");
            return;
        }
        long waitMs = acquire(MailchimpApi.keyLabel(key));
        if (waitMs > 0) {
            ex.getResponseHeaders().set("Retry-After", Long.toString(Math.max(1, (waitMs + 999) / 1000)));
            ex.getResponseHeaders().set("X-RateLimit-Limit", Integer.toString(rateLimit));
            ex.getResponseHeaders().set("X-RateLimit-Remaining", "0");
            sendError(ex, 429, "Too Many Requests", "rate limit of " + rateLimit + " requests per "
                    + rateWindowMs + " ms exceeded");
            return;
        }
        List<Update> updates;
        try {
            updates = parse(Exchanges.parseObject(Exchanges.body(ex)));
        } catch (Exchanges.BadRequest e) {
            sendError(ex, e.status, "Bad Request", e.getMessage());
            return;
        }
        synchronized (this) {
            updates.forEach(this::apply);
        }
        ObjectNode ok = Exchanges.JSON.createObjectNode();
        ok.put("message", "success");
        ok.put("attributes_processed", updates.size());
        // Braze answers a successful users/track with 201 Created.
        Exchanges.sendJson(ex, 201, ok);
    }

    /**
     * A sliding window: a request is admitted when fewer than {@code rateLimit} were admitted in
     * the last {@code rateWindowMs}. Returns 0 when admitted, else how long until a slot frees.
     */
    private synchronized long acquire(String keyLabel) {
        long now = clock.millis();
        ArrayDeque<Long> window = windows.computeIfAbsent(keyLabel, k -> new ArrayDeque<>());
        while (!window.isEmpty() && window.peekFirst() <= now - rateWindowMs) {
            window.pollFirst();
        }
        if (window.size() >= rateLimit) {
            return window.peekFirst() + rateWindowMs - now;
        }
        window.addLast(now);
        return 0;
    }

    private static List<Update> parse(JsonNode body) throws Exchanges.BadRequest {
        JsonNode attributes = body.get("attributes");
        if (attributes == null || !attributes.isArray()) {
            throw new Exchanges.BadRequest("'attributes' must be an array of attribute objects");
        }
        if (attributes.size() > MAX_ATTRIBUTE_OBJECTS) {
            throw new Exchanges.BadRequest("'attributes' has " + attributes.size()
                    + " objects; at most " + MAX_ATTRIBUTE_OBJECTS + " are allowed per request");
        }
        List<Update> updates = new ArrayList<>();
        for (int i = 0; i < attributes.size(); i++) {
            updates.add(parseObject(attributes.get(i), "attributes[" + i + "]"));
        }
        return updates;
    }

    private static Update parseObject(JsonNode obj, String path) throws Exchanges.BadRequest {
        if (!obj.isObject()) {
            throw new Exchanges.BadRequest(path + " must be an object");
        }
        JsonNode id = obj.get("external_id");
        if (id == null || !id.isTextual() || id.asText().isEmpty()) {
            throw new Exchanges.BadRequest(path + ".external_id is required and must be a non-empty string");
        }
        JsonNode segmentsSet = null;
        List<String> add = List.of();
        List<String> remove = List.of();
        Map<String, JsonNode> plain = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : obj.properties()) {
            String name = field.getKey();
            JsonNode value = field.getValue();
            String at = path + "." + name;
            if (name.equals("external_id") || name.equals("_update_existing_only")) {
                continue;
            }
            if (name.equals(SEGMENTS)) {
                if (value.isArray()) {
                    segmentsSet = value;
                    strings(value, at);
                } else if (value.isObject()) {
                    for (String op : iterable(value.fieldNames())) {
                        if (!op.equals("add") && !op.equals("remove")) {
                            throw new Exchanges.BadRequest(at + " may only have 'add' and 'remove', not '" + op + "'");
                        }
                    }
                    add = value.has("add") ? strings(value.get("add"), at + ".add") : List.of();
                    remove = value.has("remove") ? strings(value.get("remove"), at + ".remove") : List.of();
                } else {
                    throw new Exchanges.BadRequest(at + " must be an array or {\"add\"|\"remove\": [...]}");
                }
            } else if (name.startsWith("In ")) {
                if (!value.isBoolean() && !value.isNull()) {
                    throw new Exchanges.BadRequest(at + " must be true or false");
                }
                plain.put(name, value);
            } else {
                plain.put(name, value);
            }
        }
        return new Update(id.asText(), segmentsSet, add, remove, plain);
    }

    private static List<String> strings(JsonNode array, String at) throws Exchanges.BadRequest {
        if (!array.isArray()) {
            throw new Exchanges.BadRequest(at + " must be an array");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode v : array) {
            if (!v.isTextual() && !v.isNumber()) {
                throw new Exchanges.BadRequest(at + " must hold strings");
            }
            out.add(v.asText());
        }
        return out;
    }

    private static <T> Iterable<T> iterable(java.util.Iterator<T> it) {
        return () -> it;
    }

    private void apply(Update u) {
        User user = users.computeIfAbsent(u.externalId(), k -> new User());
        if (u.segmentsSet() != null) {
            user.segments.clear();
            u.segmentsSet().forEach(v -> user.segments.add(v.asText()));
        }
        user.segments.addAll(u.add());
        u.remove().forEach(user.segments::remove);
        // Braze unsets an attribute given null.
        u.attributes().forEach((name, value) -> {
            if (value.isNull()) {
                user.attributes.remove(name);
            } else {
                user.attributes.put(name, value);
            }
        });
    }

    @Override
    void sendError(HttpExchange ex, int status, String title, String detail) throws IOException {
        ObjectNode body = Exchanges.JSON.createObjectNode();
        body.put("message", detail);
        ArrayNode errors = body.putArray("errors");
        errors.add(title);
        Exchanges.sendJson(ex, status, body);
    }

    @Override
    synchronized void writeState(ObjectNode root) {
        ObjectNode usersNode = root.putObject("braze").putObject("users");
        new TreeMap<>(users).forEach((id, user) -> {
            ObjectNode node = usersNode.putObject(id);
            ArrayNode segments = node.putArray("segments");
            user.segments.forEach(segments::add);
            ObjectNode attrs = node.putObject("attributes");
            user.attributes.forEach(attrs::set);
        });
    }

    @Override
    synchronized void clear() {
        users.clear();
        windows.clear();
    }
}
