package org.audienceengine.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.audienceengine.deltas.Reason.CRITERIA;
import static org.audienceengine.deltas.Reason.EXPIRY;
import static org.audienceengine.deltas.Reason.IDENTITY_CHANGE;
import static org.audienceengine.testutils.Batches.HOUR;
import static org.audienceengine.testutils.Batches.MINUTE;
import static org.audienceengine.testutils.Batches.T0;
import static org.audienceengine.testutils.Batches.audience;
import static org.audienceengine.testutils.Batches.batch;
import static org.audienceengine.testutils.Batches.custom;
import static org.audienceengine.testutils.Batches.definitions;
import static org.audienceengine.testutils.Deltas.add;
import static org.audienceengine.testutils.Deltas.brief;
import static org.audienceengine.testutils.Deltas.remove;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.audienceengine.deltas.DeltaJson;
import org.audienceengine.config.EngineSettings;
import org.audienceengine.deltas.MembershipDelta;
import org.audienceengine.testutils.Harness;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** The delta fields of deltas.md: seq, delta_id, profile_created_at, identities, attributes, environment. */
class UserAudiencesDeltasTest {
    private static final long ANN = 11;
    private static final long BOB = 12;

    @Test
    void seqAlternatesFromOnePerAudienceAndUserAndDeltaIdsNameThem() throws Exception {
        String doc = definitions(
                audience(1, "{'user_attribute': {'name': 'plan', 'op': 'equals', 'value': 'pro'}}"),
                audience(2, "{'event': {'name': 'visit', 'within': '10m'}}"));
        try (Harness h = Harness.eventTime(doc)) {
            // The profile is created by a batch that joins nothing: created_at is still its time.
            h.push(batch(ANN, T0 + 7).attribute("plan", "free"));
            h.push(batch(BOB, T0 + MINUTE).attribute("plan", "pro"));
            for (int i = 1; i <= 4; i++) {
                long at = T0 + i * HOUR;
                h.push(batch(ANN, at).attribute("plan", i % 2 == 1 ? "pro" : "free").events(custom("visit", at)));
            }
            h.watermark(T0 + 10 * HOUR);
            List<MembershipDelta> all = h.allDeltas();
            assertThat(all).filteredOn(d -> d.mpid == ANN)
                    .extracting(d -> d.audienceId, d -> d.action, d -> d.reason, d -> d.seq, d -> d.deltaId)
                    .containsExactlyInAnyOrder(
                            tuple(1, "add", CRITERIA, 1, "1:11:" + (T0 + 7) + ":1"),
                            tuple(1, "remove", CRITERIA, 2, "1:11:" + (T0 + 7) + ":2"),
                            tuple(1, "add", CRITERIA, 3, "1:11:" + (T0 + 7) + ":3"),
                            tuple(1, "remove", CRITERIA, 4, "1:11:" + (T0 + 7) + ":4"),
                            tuple(2, "add", CRITERIA, 1, "2:11:" + (T0 + 7) + ":1"),
                            tuple(2, "remove", EXPIRY, 2, "2:11:" + (T0 + 7) + ":2"),
                            tuple(2, "add", CRITERIA, 3, "2:11:" + (T0 + 7) + ":3"),
                            tuple(2, "remove", EXPIRY, 4, "2:11:" + (T0 + 7) + ":4"),
                            tuple(2, "add", CRITERIA, 5, "2:11:" + (T0 + 7) + ":5"),
                            tuple(2, "remove", EXPIRY, 6, "2:11:" + (T0 + 7) + ":6"),
                            tuple(2, "add", CRITERIA, 7, "2:11:" + (T0 + 7) + ":7"),
                            tuple(2, "remove", EXPIRY, 8, "2:11:" + (T0 + 7) + ":8"));
            assertThat(all).filteredOn(d -> d.mpid == BOB).extracting(d -> d.deltaId)
                    .containsExactly("1:12:" + (T0 + MINUTE) + ":1");
            // Emitted in seq order per (audience, user).
            assertThat(all).filteredOn(d -> d.mpid == ANN && d.audienceId == 2).extracting(d -> d.seq)
                    .containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
        }
    }

    @Test
    void deltaCarriesTheProfileAtEffectiveAtInTheDocumentedShape() throws Exception {
        String doc = "{\"audiences\": [{\"id\": 101, \"name\": \"Cart abandoners\", \"external_name\": \"cart_abandoners\","
                + " \"criteria\": {\"event\": {\"name\": \"visit\", \"within\": \"1h\"}}},"
                + " {\"id\": 102, \"name\": \"Named only\","
                + " \"criteria\": {\"user_attribute\": {\"name\": \"n\", \"op\": \"gt\", \"value\": 1}}}]}";
        try (Harness h = Harness.eventTime(doc)) {
            h.push(batch(ANN, T0).identity("email", "ann@example.com").identity("customer_id", "c-1")
                    .device("ios_advertising_id", "IDFA").device("platform", "iOS")
                    .attribute("n", 2).attribute("tags", List.of("a", "b")).events(custom("visit", T0)));
            h.push(batch(ANN, T0 + MINUTE).environment("development").attribute("n", 0));
            h.watermark(T0 + 2 * HOUR);
            List<MembershipDelta> all = h.allDeltas();
            assertThat(brief(all)).containsExactly(add(101, CRITERIA, T0), add(102, CRITERIA, T0),
                    remove(102, CRITERIA, T0 + MINUTE), remove(101, EXPIRY, T0 + HOUR));

            JsonNode first = new ObjectMapper().readTree(DeltaJson.toJson(all.get(0)));
            assertThat(first.toString()).isEqualTo(new ObjectMapper().readTree("{\"delta_id\": \"101:11:" + T0 + ":1\","
                    + " \"audience_id\": 101, \"audience_name\": \"Cart abandoners\", \"external_name\": \"cart_abandoners\","
                    + " \"mpid\": 11, \"action\": \"add\", \"reason\": \"criteria\", \"effective_at\": " + T0 + ", \"seq\": 1,"
                    + " \"profile_created_at\": " + T0 + ", \"identities\": {\"customer_id\": \"c-1\", \"email\": \"ann@example.com\"},"
                    + " \"device_identities\": {\"ios_advertising_id\": \"IDFA\"},"
                    + " \"user_attributes\": {\"n\": 2, \"tags\": [\"a\", \"b\"]}, \"environment\": \"production\"}").toString());
            // external_name defaults to name; environment and attributes are those at effective_at.
            assertThat(all.get(2).externalName).isEqualTo("Named only");
            assertThat(all.get(2).environment).isEqualTo("development");
            assertThat(String.valueOf(all.get(2).userAttributes.get("n"))).isEqualTo("0");
            assertThat(all.get(3).environment).isEqualTo("development");
        }
    }

    @Test
    void identityChangeWhileMemberIsRemoveOldThenAddNew() throws Exception {
        String doc = definitions(
                audience(1, "{'user_attribute': {'name': 'plan', 'op': 'exists'}}"),
                audience(2, "{'user_attribute': {'name': 'never', 'op': 'exists'}}"));
        // A webhook-like connection on audience 1: every identity type counts.
        try (Harness h = Harness.open(Harness.settings(doc).identityTypesUsed(Map.of(1, Set.of(EngineSettings.ANY_IDENTITY))).build())) {
            h.push(batch(ANN, T0).attribute("plan", "pro").identity("email", "old@example.com").identity("customer_id", "c-1"));
            h.push(batch(ANN, T0 + MINUTE).identity("email", "new@example.com"));
            // Same values again: no change, no deltas.
            h.push(batch(ANN, T0 + 2 * MINUTE).identity("email", "NEW@example.com"));
            h.push(batch(ANN, T0 + 3 * MINUTE).identity("customer_id", null));
            List<MembershipDelta> all = h.watermark(T0 + 3 * MINUTE);
            assertThat(brief(all)).containsExactly(add(1, CRITERIA, T0),
                    remove(1, IDENTITY_CHANGE, T0 + MINUTE), add(1, IDENTITY_CHANGE, T0 + MINUTE),
                    remove(1, IDENTITY_CHANGE, T0 + 3 * MINUTE), add(1, IDENTITY_CHANGE, T0 + 3 * MINUTE));
            assertThat(all).extracting(d -> d.seq).containsExactly(1, 2, 3, 4, 5);
            assertThat(all).extracting(d -> d.identities).containsExactly(
                    Map.of("email", "old@example.com", "customer_id", "c-1"),
                    Map.of("email", "old@example.com", "customer_id", "c-1"),
                    Map.of("email", "new@example.com", "customer_id", "c-1"),
                    Map.of("email", "new@example.com", "customer_id", "c-1"),
                    Map.of("email", "new@example.com"));
        }
    }

    @Test
    void identityChangeOfATypeNoConnectionUsesEmitsNothing() throws Exception {
        String doc = definitions(audience(1, "{'user_attribute': {'name': 'plan', 'op': 'exists'}}"),
                audience(2, "{'user_attribute': {'name': 'plan', 'op': 'exists'}}"));
        // Audience 1 goes to a Mailchimp-like connection (email), audience 2 to none.
        try (Harness h = Harness.open(Harness.settings(doc).identityTypesUsed(Map.of(1, Set.of("email"))).build())) {
            h.push(batch(ANN, T0).attribute("plan", "pro").identity("email", "old@example.com").identity("customer_id", "c-1"));
            h.push(batch(ANN, T0 + MINUTE).identity("customer_id", "c-2"));
            h.push(batch(ANN, T0 + 2 * MINUTE).identity("email", "new@example.com"));
            List<MembershipDelta> all = h.watermark(T0 + 2 * MINUTE);
            assertThat(brief(all)).containsExactly(add(1, CRITERIA, T0), add(2, CRITERIA, T0),
                    remove(1, IDENTITY_CHANGE, T0 + 2 * MINUTE), add(1, IDENTITY_CHANGE, T0 + 2 * MINUTE));
        }
        // Without connections (replay without --connections) no identity change is ever announced.
        try (Harness h = Harness.eventTime(doc)) {
            h.push(batch(ANN, T0).attribute("plan", "pro").identity("email", "old@example.com"));
            h.push(batch(ANN, T0 + MINUTE).identity("email", "new@example.com"));
            assertThat(brief(h.watermark(T0 + MINUTE))).containsExactly(add(1, CRITERIA, T0), add(2, CRITERIA, T0));
        }
    }

    @Test
    void leavingInTheBatchThatChangesIdentityRemovesWithTheIdentitiesAddedWith() throws Exception {
        try (Harness h = Harness.eventTime(definitions(audience(1, "{'user_attribute': {'name': 'plan', 'op': 'exists'}}")))) {
            h.push(batch(ANN, T0).attribute("plan", "pro").identity("email", "old@example.com"));
            h.push(batch(ANN, T0 + MINUTE).attribute("plan", null).identity("email", "new@example.com"));
            List<MembershipDelta> all = h.watermark(T0 + MINUTE);
            assertThat(brief(all)).containsExactly(add(1, CRITERIA, T0), remove(1, CRITERIA, T0 + MINUTE));
            assertThat(all.get(1).identities).isEqualTo(Map.of("email", "old@example.com"));
        }
    }

    @Test
    void identityChangeOfANonMemberEmitsNothing() throws Exception {
        try (Harness h = Harness.eventTime(definitions(audience(1, "{'user_attribute': {'name': 'plan', 'op': 'exists'}}")))) {
            h.push(batch(ANN, T0).identity("email", "old@example.com"));
            h.push(batch(ANN, T0 + MINUTE).identity("email", "new@example.com"));
            assertThat(brief(h.watermark(T0 + MINUTE))).isEmpty();
        }
    }
}
