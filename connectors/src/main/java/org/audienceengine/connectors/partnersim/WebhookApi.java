package org.audienceengine.connectors.partnersim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Receivers of the {@code webhook} output's Firehose-style batches, one per name, at
 * {@code POST /webhook/{name}}. A delivery counts once per {@code Idempotency-Key}: a repeat is
 * acknowledged but not applied again, which is what lets the output retry without fear. The
 * membership kept per (webhook, audience, mpid) is the one implied by the last applied action.
 */
final class WebhookApi extends SimulatedPartner {

    private static final String CONTEXT = "/webhook/";

    private record Action(long audienceId, long mpid, boolean add, String deltaId) {}

    private record Membership(boolean member, String deltaId) {}

    private static final class Receiver {
        long deliveries;
        long applied;
        long duplicates;
        long outOfOrder;
        final Set<String> keys = new HashSet<>();
        /** audience id → mpid → membership. */
        final Map<Long, Map<Long, Membership>> audiences = new TreeMap<>();
    }

    private final Map<String, String> secrets;
    private final String defaultSecret;
    private final Counters counters;
    /** webhook name → receiver; guarded by {@code this}. */
    private final Map<String, Receiver> receivers = new TreeMap<>();

    WebhookApi(Map<String, String> secrets, String defaultSecret, Counters counters) {
        this.secrets = Map.copyOf(secrets);
        this.defaultSecret = defaultSecret;
        this.counters = counters;
    }

    @Override
    String name() {
        return "webhook";
    }

    @Override
    String contextPath() {
        return CONTEXT;
    }

    @Override
    String endpoint(HttpExchange ex) {
        return secretOf(hookName(ex)) == null ? null : "webhook";
    }

    private static String hookName(HttpExchange ex) {
        String rest = Exchanges.pathBelow(ex, CONTEXT);
        return rest == null || rest.isEmpty() || rest.contains("/") ? null : rest;
    }

    private String secretOf(String hook) {
        return hook == null ? null : secrets.getOrDefault(hook, defaultSecret);
    }

    @Override
    void serve(HttpExchange ex) throws IOException {
        String hook = hookName(ex);
        if (!"POST".equals(ex.getRequestMethod())) {
            ex.getResponseHeaders().set("Allow", "POST");
            sendError(ex, 405, "Method Not Allowed", "webhooks accept POST only");
            return;
        }
        byte[] body;
        List<Action> actions;
        try {
            body = Exchanges.body(ex);
            if (!signatureMatches(secretOf(hook), body, ex.getRequestHeaders().getFirst("X-Signature"))) {
                sendError(ex, 401, "Unauthorized", "X-Signature is missing or does not match the body");
                return;
            }
            actions = parse(Exchanges.parseObject(body));
        } catch (Exchanges.BadRequest e) {
            sendError(ex, e.status, "Bad Request", e.getMessage());
            return;
        }
        String key = ex.getRequestHeaders().getFirst("Idempotency-Key");
        boolean duplicate;
        synchronized (this) {
            Receiver r = receivers.computeIfAbsent(hook, k -> new Receiver());
            r.deliveries++;
            duplicate = key != null && r.keys.contains(key);
            if (duplicate) {
                r.duplicates++;
                counters.duplicate(hook);
            } else {
                actions.forEach(a -> apply(r, a));
                r.applied++;
                if (key != null) {
                    r.keys.add(key);
                }
            }
        }
        ObjectNode ok = Exchanges.JSON.createObjectNode();
        ok.put("status", duplicate ? "duplicate" : "applied");
        ok.put("actions", duplicate ? 0 : actions.size());
        Exchanges.sendJson(ex, 200, ok);
    }

    private static void apply(Receiver r, Action a) {
        Map<Long, Membership> members = r.audiences.computeIfAbsent(a.audienceId(), k -> new HashMap<>());
        Membership previous = members.put(a.mpid(), new Membership(a.add(), a.deltaId()));
        // Still applied, as a real receiver would, but counted: the output promises per-user order.
        if (previous != null && DeltaOrder.isBefore(a.deltaId(), previous.deltaId())) {
            r.outOfOrder++;
        }
    }

    static String signature(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from the JDK", e);
        }
    }

    private static boolean signatureMatches(String secret, byte[] body, String header) {
        if (header == null) {
            return false;
        }
        byte[] expected = signature(secret, body).getBytes(StandardCharsets.UTF_8);
        byte[] given = header.trim().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected, given);
    }

    private static List<Action> parse(JsonNode body) throws Exchanges.BadRequest {
        if (!body.path("id").isTextual()) {
            throw new Exchanges.BadRequest("'id' is required and must be a string");
        }
        if (!body.path("timestamp_ms").canConvertToExactIntegral()) {
            throw new Exchanges.BadRequest("'timestamp_ms' is required and must be an integer");
        }
        JsonNode profiles = body.get("user_profiles");
        if (profiles == null || !profiles.isArray()) {
            throw new Exchanges.BadRequest("'user_profiles' must be an array");
        }
        List<Action> actions = new ArrayList<>();
        for (int i = 0; i < profiles.size(); i++) {
            JsonNode p = profiles.get(i);
            String at = "user_profiles[" + i + "]";
            long mpid = integer(p.path("mpid"), at + ".mpid");
            JsonNode ids = p.path("user_identities");
            if (!ids.isMissingNode() && !ids.isArray()) {
                throw new Exchanges.BadRequest(at + ".user_identities must be an array");
            }
            for (JsonNode id : ids) {
                if (!id.path("type").isTextual() || !id.has("value")) {
                    throw new Exchanges.BadRequest(at + ".user_identities entries need 'type' and 'value'");
                }
            }
            JsonNode audiences = p.path("audiences");
            if (!audiences.isArray()) {
                throw new Exchanges.BadRequest(at + ".audiences must be an array");
            }
            for (int j = 0; j < audiences.size(); j++) {
                JsonNode a = audiences.get(j);
                String aat = at + ".audiences[" + j + "]";
                long audienceId = integer(a.path("audience_id"), aat + ".audience_id");
                String action = a.path("action").asText("");
                if (!action.equals("add") && !action.equals("delete")) {
                    throw new Exchanges.BadRequest(aat + ".action must be \"add\" or \"delete\"");
                }
                String deltaId = a.path("delta_id").isTextual() ? a.get("delta_id").asText() : null;
                actions.add(new Action(audienceId, mpid, action.equals("add"), deltaId));
            }
        }
        return actions;
    }

    private static long integer(JsonNode v, String at) throws Exchanges.BadRequest {
        if (v.canConvertToExactIntegral() && v.canConvertToLong()) {
            return v.longValue();
        }
        throw new Exchanges.BadRequest(at + " is required and must be an integer");
    }

    @Override
    void sendError(HttpExchange ex, int status, String title, String detail) throws IOException {
        ObjectNode body = Exchanges.JSON.createObjectNode();
        body.put("error", title);
        body.put("detail", detail);
        Exchanges.sendJson(ex, status, body);
    }

    @Override
    synchronized void writeState(ObjectNode root) {
        ObjectNode hooks = root.putObject("webhooks");
        receivers.forEach((name, r) -> {
            ObjectNode node = hooks.putObject(name);
            node.put("deliveries", r.deliveries);
            node.put("applied", r.applied);
            node.put("duplicates", r.duplicates);
            node.put("out_of_order", r.outOfOrder);
            ObjectNode audiences = node.putObject("audiences");
            r.audiences.forEach((audienceId, members) -> {
                ObjectNode aNode = audiences.putObject(Long.toString(audienceId));
                ArrayNode current = aNode.putArray("members");
                ObjectNode all = aNode.putObject("memberships");
                new TreeMap<>(members).forEach((mpid, m) -> {
                    if (m.member()) {
                        current.add(mpid);
                    }
                    all.putObject(Long.toString(mpid))
                            .put("member", m.member())
                            .put("delta_id", m.deltaId());
                });
            });
        });
    }

    @Override
    synchronized void clear() {
        receivers.clear();
    }

    /** Orders delta ids {@code <audience>:<mpid>:<profile_created_at>:<seq>} of one (audience, mpid). */
    static final class DeltaOrder {
        private DeltaOrder() {}

        static boolean isBefore(String a, String b) {
            long[] x = parse(a);
            long[] y = parse(b);
            if (x == null || y == null) {
                return false;
            }
            return x[0] != y[0] ? x[0] < y[0] : x[1] < y[1];
        }

        private static long[] parse(String deltaId) {
            if (deltaId == null) {
                return null;
            }
            String[] parts = deltaId.split(":");
            if (parts.length != 4) {
                return null;
            }
            try {
                return new long[] {Long.parseLong(parts[2]), Long.parseLong(parts[3])};
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }
}
