package org.audienceengine.connectors.partnersim;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A snapshot of the simulator: the document served by {@code GET /state}, with typed accessors
 * for what tests compare against the engine. Everything reads the same JSON, so a test that uses
 * the accessors and a script that reads {@code /state} see the same thing.
 *
 * <pre>{@code
 * {"mailchimp": {"lists": {"<list_id>": {"member_count": 1,
 *                 "members": {"<email_address>": {"status": "subscribed", "id": "<md5>"}}}}},
 *  "braze": {"users": {"<external_id>": {"segments": ["101"], "attributes": {"In x": true}}}},
 *  "webhooks": {"<name>": {"deliveries", "applied", "duplicates", "out_of_order",
 *               "audiences": {"<audience_id>": {"members": [<mpid>...],
 *                 "memberships": {"<mpid>": {"member": true, "delta_id": "..."}}}}}},
 *  "counters": {"requests": {"<endpoint>": n}, "responses": {"<endpoint>": {"<status>": n}},
 *               "responses_by_status": {"<status>": n}, "faults": {"5xx": n, ...},
 *               "duplicates": n, "duplicates_by_webhook": {...},
 *               "mailchimp_max_concurrent": {"<key label>": n}},
 *  "faults": {"spec": "...", "5xx": 0.1, ..., "seed": 42, "slow_ms": 15000}}
 * }</pre>
 *
 * Endpoints are {@code mailchimp_member_put|delete|get}, {@code braze_users_track},
 * {@code webhook}, and {@code <partner>_not_found}; a status {@code none} counts connections
 * closed without a response.
 */
public final class SimulatorState {

    private final JsonNode json;

    SimulatorState(JsonNode json) {
        this.json = json;
    }

    /** The whole document, as served by {@code GET /state}. */
    public JsonNode json() {
        return json;
    }

    /** Members of a Mailchimp list, email address → status (every status, unsubscribed included). */
    public Map<String, String> mailchimpMembers(String listId) {
        Map<String, String> out = new TreeMap<>();
        json.path("mailchimp").path("lists").path(listId).path("members").properties()
                .forEach(e -> out.put(e.getKey(), e.getValue().path("status").asText()));
        return out;
    }

    /** The emails of a list whose status is {@code subscribed}: the audience as Mailchimp has it. */
    public Set<String> mailchimpSubscribed(String listId) {
        Set<String> out = new LinkedHashSet<>();
        mailchimpMembers(listId).forEach((email, status) -> {
            if (status.equals("subscribed")) {
                out.add(email);
            }
        });
        return out;
    }

    /** The Braze external ids that have a user record. */
    public Set<String> brazeUsers() {
        Set<String> out = new LinkedHashSet<>();
        json.path("braze").path("users").fieldNames().forEachRemaining(out::add);
        return out;
    }

    /** The {@code SegmentMembership} set of one Braze user (empty when unknown). */
    public Set<String> brazeSegments(String externalId) {
        Set<String> out = new LinkedHashSet<>();
        json.path("braze").path("users").path(externalId).path("segments").forEach(s -> out.add(s.asText()));
        return out;
    }

    /** The other attributes of one Braze user, such as {@code "In <name>": true}. */
    public Map<String, JsonNode> brazeAttributes(String externalId) {
        Map<String, JsonNode> out = new TreeMap<>();
        json.path("braze").path("users").path(externalId).path("attributes").properties()
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /** The mpids the webhook {@code name} holds as members of {@code audienceId}. */
    public Set<Long> webhookMembers(String name, long audienceId) {
        Set<Long> out = new LinkedHashSet<>();
        json.path("webhooks").path(name).path("audiences").path(Long.toString(audienceId))
                .path("members").forEach(m -> out.add(m.asLong()));
        return Collections.unmodifiableSet(out);
    }

    /** A per-webhook number: {@code deliveries}, {@code applied}, {@code duplicates}, {@code out_of_order}. */
    public long webhookCount(String name, String field) {
        return json.path("webhooks").path(name).path(field).asLong(0);
    }

    public long requests(String endpoint) {
        return counters().path("requests").path(endpoint).asLong(0);
    }

    public long responses(String endpoint, int status) {
        return counters().path("responses").path(endpoint).path(Integer.toString(status)).asLong(0);
    }

    /** Connections of {@code endpoint} closed without any response. */
    public long unanswered(String endpoint) {
        return counters().path("responses").path(endpoint).path(Counters.NO_RESPONSE).asLong(0);
    }

    public long responsesByStatus(int status) {
        return counters().path("responses_by_status").path(Integer.toString(status)).asLong(0);
    }

    /** Injected faults of one kind: {@code 5xx}, {@code 429}, {@code timeout}, {@code drop}, {@code auth}. */
    public long faults(String kind) {
        return counters().path("faults").path(kind).asLong(0);
    }

    /** Deliveries acknowledged but not applied because their Idempotency-Key was seen before. */
    public long duplicates() {
        return counters().path("duplicates").asLong(0);
    }

    /** The most requests ever in flight at once with this Mailchimp API key, rejected ones included. */
    public long mailchimpMaxConcurrent(String apiKey) {
        return counters().path("mailchimp_max_concurrent").path(MailchimpApi.keyLabel(apiKey)).asLong(0);
    }

    private JsonNode counters() {
        return json.path("counters");
    }

    @Override
    public String toString() {
        return json.toPrettyString();
    }
}
