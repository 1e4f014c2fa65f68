package org.audienceengine.connectors.partnersim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part of the Mailchimp Marketing API 3.0 that the {@code mailchimp} output uses: list
 * members, upserted by PUT, removed by DELETE, read by GET, under
 * {@code /mailchimp/3.0/lists/{list_id}/members/{subscriber_hash}}. Lists spring into existence
 * on first use. DELETE removes the member outright (Mailchimp archives it; for the comparison
 * with the engine's membership both mean "not on the list").
 */
final class MailchimpApi extends SimulatedPartner {

    private static final String CONTEXT = "/mailchimp/3.0/";
    private static final Pattern MEMBER = Pattern.compile("lists/([^/]+)/members/([^/]+)");
    private static final Set<String> STATUSES =
            Set.of("subscribed", "unsubscribed", "cleaned", "pending", "transactional");
    private static final String ERROR_TYPE = "https://mailchimp.com/developer/marketing/docs/errors/";

    private record Member(String emailAddress, String status) {}

    private final String apiKey;
    private final int maxConcurrency;
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    /** list id → subscriber hash → member; guarded by {@code this}. */
    private final Map<String, Map<String, Member>> lists = new HashMap<>();

    MailchimpApi(String apiKey, int maxConcurrency) {
        this.apiKey = apiKey;
        this.maxConcurrency = maxConcurrency;
    }

    @Override
    String name() {
        return "mailchimp";
    }

    @Override
    String contextPath() {
        return CONTEXT;
    }

    @Override
    String endpoint(HttpExchange ex) {
        String rest = Exchanges.pathBelow(ex, CONTEXT);
        if (rest == null || !MEMBER.matcher(rest).matches()) {
            return null;
        }
        return "mailchimp_member_" + ex.getRequestMethod().toLowerCase(Locale.ROOT);
    }

    /**
     * Mailchimp allows a fixed number of simultaneous connections per API key. The key is the one
     * presented, valid or not: an output retrying with a wrong key still occupies connections.
     */
    @Override
    Admission admit(HttpExchange ex, Counters counters) throws IOException {
        String label = keyLabel(presentedKey(ex));
        AtomicInteger count = inFlight.computeIfAbsent(label, k -> new AtomicInteger());
        int now = count.incrementAndGet();
        counters.concurrency(label, now);
        if (now > maxConcurrency) {
            // Freed before answering, so the client's next request does not find it still taken.
            count.decrementAndGet();
            sendError(ex, 429, "Too Many Requests", "You have exceeded the limit of "
                    + maxConcurrency + " simultaneous connections.");
            return null;
        }
        return count::decrementAndGet;
    }

    @Override
    void serve(HttpExchange ex) throws IOException {
        if (!MessageDigest.isEqual(bytes(presentedKey(ex)), bytes(apiKey))) {
            sendError(ex, 401, "API Key Invalid", "Your API key may be invalid, or you've attempted"
                    + " to access the wrong datacenter.");
            return;
        }
        Matcher m = MEMBER.matcher(Exchanges.pathBelow(ex, CONTEXT));
        if (!m.matches()) {
            throw new IllegalStateException("endpoint() accepted a path that does not match");
        }
        String listId = m.group(1);
        String hash = m.group(2).toLowerCase(Locale.ROOT);
        switch (ex.getRequestMethod()) {
            case "PUT" -> put(ex, listId, hash);
            case "DELETE" -> delete(ex, listId, hash);
            case "GET" -> get(ex, listId, hash);
            default -> {
                ex.getResponseHeaders().set("Allow", "GET, PUT, DELETE");
                sendError(ex, 405, "Method Not Allowed", "The requested method and resource are not compatible.");
            }
        }
    }

    private void put(HttpExchange ex, String listId, String hash) throws IOException {
        Member member;
        try {
            JsonNode body = Exchanges.parseObject(Exchanges.body(ex));
            String email = requiredText(body, "email_address");
            if (!email.contains("@")) {
                throw new Exchanges.BadRequest("email_address '" + email + "' is not an email address");
            }
            if (!md5Hex(email.toLowerCase(Locale.ROOT)).equals(hash)) {
                throw new Exchanges.BadRequest("The subscriber hash in the URL is not the MD5 hash of"
                        + " the lower-cased email_address.");
            }
            String statusIfNew = optionalStatus(body, "status_if_new");
            String status = optionalStatus(body, "status");
            synchronized (this) {
                Map<String, Member> members = lists.computeIfAbsent(listId, k -> new HashMap<>());
                Member old = members.get(hash);
                if (old == null) {
                    String initial = status != null ? status : statusIfNew;
                    if (initial == null) {
                        throw new Exchanges.BadRequest("status_if_new is required for a new member");
                    }
                    member = new Member(email, initial);
                } else {
                    // Mailchimp keeps the address as first written; the hash already proves it is the same one.
                    member = new Member(old.emailAddress(), status != null ? status : old.status());
                }
                members.put(hash, member);
            }
        } catch (Exchanges.BadRequest e) {
            sendError(ex, e.status, "Invalid Resource", e.getMessage());
            return;
        }
        Exchanges.sendJson(ex, 200, memberJson(listId, hash, member));
    }

    private void delete(HttpExchange ex, String listId, String hash) throws IOException {
        boolean removed;
        synchronized (this) {
            Map<String, Member> members = lists.get(listId);
            removed = members != null && members.remove(hash) != null;
        }
        if (removed) {
            Exchanges.sendEmpty(ex, 204);
        } else {
            sendError(ex, 404, "Resource Not Found", "The requested resource could not be found.");
        }
    }

    private void get(HttpExchange ex, String listId, String hash) throws IOException {
        Member member;
        synchronized (this) {
            Map<String, Member> members = lists.get(listId);
            member = members == null ? null : members.get(hash);
        }
        if (member == null) {
            sendError(ex, 404, "Resource Not Found", "The requested resource could not be found.");
        } else {
            Exchanges.sendJson(ex, 200, memberJson(listId, hash, member));
        }
    }

    private static ObjectNode memberJson(String listId, String hash, Member member) {
        ObjectNode out = Exchanges.JSON.createObjectNode();
        out.put("id", hash);
        out.put("email_address", member.emailAddress());
        out.put("status", member.status());
        out.put("list_id", listId);
        return out;
    }

    @Override
    void sendError(HttpExchange ex, int status, String title, String detail) throws IOException {
        ObjectNode body = Exchanges.JSON.createObjectNode();
        body.put("type", ERROR_TYPE);
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        body.put("instance", UUID.randomUUID().toString());
        Exchanges.sendJson(ex, status, body, "application/problem+json");
    }

    @Override
    synchronized void writeState(ObjectNode root) {
        ObjectNode listsNode = root.putObject("mailchimp").putObject("lists");
        new TreeMap<>(lists).forEach((listId, members) -> {
            ObjectNode listNode = listsNode.putObject(listId);
            listNode.put("member_count", members.size());
            ObjectNode membersNode = listNode.putObject("members");
            Map<String, Member> byEmail = new TreeMap<>();
            members.values().forEach(mb -> byEmail.put(mb.emailAddress(), mb));
            byEmail.forEach((email, mb) -> membersNode.putObject(email)
                    .put("status", mb.status())
                    .put("id", md5Hex(email.toLowerCase(Locale.ROOT))));
        });
    }

    @Override
    synchronized void clear() {
        lists.clear();
    }

    private static String requiredText(JsonNode body, String field) throws Exchanges.BadRequest {
        JsonNode v = body.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw new Exchanges.BadRequest(field + " is required and must be a non-empty string");
        }
        return v.asText();
    }

    private static String optionalStatus(JsonNode body, String field) throws Exchanges.BadRequest {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual() || !STATUSES.contains(v.asText())) {
            throw new Exchanges.BadRequest(field + " must be one of " + new TreeSet<>(STATUSES));
        }
        return v.asText();
    }

    /** The password of HTTP Basic auth (the user name is ignored, as Mailchimp does), or "". */
    static String presentedKey(HttpExchange ex) {
        String header = ex.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return "";
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? "" : decoded.substring(colon + 1);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    /**
     * How a key appears in the counters: a short digest, so that a real key sent here by mistake
     * is not echoed by the state endpoint.
     */
    static String keyLabel(String key) {
        if (key == null || key.isEmpty()) {
            return "none";
        }
        return "sha256:" + HexFormat.of().formatHex(digest("SHA-256", bytes(key))).substring(0, 12);
    }

    static String md5Hex(String s) {
        return HexFormat.of().formatHex(digest("MD5", bytes(s)));
    }

    private static byte[] digest(String algorithm, byte[] input) {
        try {
            return MessageDigest.getInstance(algorithm).digest(input);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is missing from the JDK", e);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
