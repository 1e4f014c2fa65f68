package org.audienceengine.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.audienceengine.deltas.Reason.CRITERIA;
import static org.audienceengine.deltas.Reason.EXPIRY;
import static org.audienceengine.deltas.Reason.PROFILE_EXPIRED;
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

import org.audienceengine.config.EngineSettings;
import org.audienceengine.deltas.MembershipDelta;
import org.audienceengine.testutils.Harness;
import org.junit.jupiter.api.Test;

import java.util.List;

/** Profile lifetime: deletion at exactly last batch time + lifetime, and what comes after. */
class UserAudiencesLifetimeTest {
    private static final long USER = 99;
    private static final long LIFETIME = 2 * HOUR;
    private static final String DOC = definitions(
            audience(1, "{'user_attribute': {'name': 'plan', 'op': 'exists'}}"),
            audience(2, "{'event': {'name': 'visit', 'within': '90d'}}"),
            audience(3, "{'user_attribute': {'name': 'never', 'op': 'exists'}}"),
            audience(4, "{'audience': {'id': 1}}"));

    private static EngineSettings settings(String doc, long lifetime) {
        return Harness.settings(doc).profileLifetimeMs(lifetime).build();
    }

    @Test
    void profileExpiresAtLastBatchPlusLifetimeAndLeavesNothingBehind() throws Exception {
        try (Harness h = Harness.open(settings(DOC, LIFETIME))) {
            long first = T0 + 5 * MINUTE + 123;
            h.push(batch(USER, first).attribute("plan", "pro").events(custom("visit", first)));
            assertThat(brief(h.watermark(first))).containsExactly(
                    add(1, CRITERIA, first), add(2, CRITERIA, first), add(4, CRITERIA, first));
            // A later batch moves the deletion; its time, not its arrival, counts.
            long last = T0 + HOUR;
            h.push(batch(USER, last).attribute("x", 1));
            assertThat(brief(h.watermark(first + LIFETIME))).isEmpty();
            assertThat(brief(h.watermark(last + LIFETIME - 1))).isEmpty();
            assertThat(h.usersWithState()).containsExactly(USER);
            assertThat(h.eventTimers()).isEqualTo(1);

            List<MembershipDelta> removed = h.watermark(last + LIFETIME);
            assertThat(brief(removed)).containsExactly(
                    remove(1, PROFILE_EXPIRED, last + LIFETIME), remove(2, PROFILE_EXPIRED, last + LIFETIME),
                    remove(4, PROFILE_EXPIRED, last + LIFETIME));
            assertThat(removed).allSatisfy(d -> {
                assertThat(d.seq).isEqualTo(2);
                assertThat(d.profileCreatedAt).isEqualTo(first);
                assertThat(d.audienceName).isEqualTo("a" + d.audienceId);
            });
            assertThat(h.usersWithState()).isEmpty();
            assertThat(h.eventTimers()).isZero();
            assertThat(brief(h.watermark(Long.MAX_VALUE))).isEmpty();
        }
    }

    @Test
    void aLaterBatchStartsANewProfileFromSeqOne() throws Exception {
        try (Harness h = Harness.open(settings(DOC, LIFETIME))) {
            h.push(batch(USER, T0).attribute("plan", "pro"));
            h.push(batch(USER, T0 + MINUTE).attribute("plan", null));
            h.push(batch(USER, T0 + 2 * MINUTE).attribute("plan", "pro"));
            h.watermark(T0 + 2 * MINUTE + LIFETIME);
            long again = T0 + 5 * HOUR;
            h.push(batch(USER, again).attribute("plan", "free"));
            List<MembershipDelta> added = h.watermark(again);
            assertThat(added).extracting(d -> d.audienceId, d -> d.seq, d -> d.profileCreatedAt, d -> d.deltaId)
                    .containsExactly(
                            tuple(1, 1, again, "1:" + USER + ":" + again + ":1"),
                            tuple(4, 1, again, "4:" + USER + ":" + again + ":1"));
            // The old profile's deltas ended at seq 4 (add, remove, add, profile_expired remove).
            assertThat(h.allDeltas()).filteredOn(d -> d.audienceId == 1).extracting(d -> d.deltaId).containsExactly(
                    "1:99:" + T0 + ":1", "1:99:" + T0 + ":2", "1:99:" + T0 + ":3", "1:99:" + T0 + ":4",
                    "1:99:" + again + ":1");
        }
    }

    @Test
    void aBatchAtTheExpiryInstantMeetsTheDeletionFirst() throws Exception {
        try (Harness h = Harness.open(settings(DOC, LIFETIME))) {
            h.push(batch(USER, T0).attribute("plan", "pro").attribute("old", 1));
            h.push(batch(USER, T0 + LIFETIME).attribute("plan", "pro"));
            List<MembershipDelta> deltas = h.watermark(T0 + LIFETIME);
            assertThat(brief(deltas)).containsExactly(
                    add(1, CRITERIA, T0), add(4, CRITERIA, T0),
                    remove(1, PROFILE_EXPIRED, T0 + LIFETIME), remove(4, PROFILE_EXPIRED, T0 + LIFETIME),
                    add(1, CRITERIA, T0 + LIFETIME), add(4, CRITERIA, T0 + LIFETIME));
            assertThat(deltas.get(4).profileCreatedAt).isEqualTo(T0 + LIFETIME);
            assertThat(deltas.get(4).seq).isEqualTo(1);
            // The new profile kept only the new batch: the old attribute went with the old profile.
            assertThat(deltas.get(4).userAttributes).containsOnlyKeys("plan");
        }
    }

    @Test
    void profileExpiryWinsOverAWindowEdgeAtTheSameInstant() throws Exception {
        String doc = definitions(
                audience(1, "{'event': {'name': 'visit', 'within': '1h'}}"),
                audience(2, "{'not': {'event': {'name': 'visit', 'within': '1h'}}}"));
        try (Harness h = Harness.open(settings(doc, HOUR))) {
            h.push(batch(USER, T0).events(custom("visit", T0)));
            assertThat(brief(h.watermark(T0))).containsExactly(add(1, CRITERIA, T0));
            // At T0 + 1h the visit leaves the window and the profile expires: no expiry flips,
            // in particular no add to the "not visited" audience of a user being deleted.
            assertThat(brief(h.watermark(T0 + HOUR))).containsExactly(remove(1, PROFILE_EXPIRED, T0 + HOUR));
            assertThat(h.usersWithState()).isEmpty();
            assertThat(h.eventTimers()).isZero();
        }
    }

    @Test
    void heapBackendCountsNoKeyedStateEntriesAfterExpiry() throws Exception {
        // The harness's own entry count exists only for the heap backend: a cross-check of usersWithState.
        try (Harness h = Harness.open(settings(DOC, LIFETIME), Harness.Backend.HEAP)) {
            h.push(batch(USER, T0).attribute("plan", "pro"));
            h.push(batch(USER + 1, T0 + HOUR).attribute("plan", "pro"));
            h.watermark(T0);
            // One profile and one buffered batch.
            assertThat(h.keyedStateEntries()).isEqualTo(2);
            h.watermark(T0 + HOUR);
            assertThat(h.keyedStateEntries()).isEqualTo(2);
            assertThat(h.usersWithState()).containsExactly(USER, USER + 1);
            h.watermark(T0 + LIFETIME);
            assertThat(h.keyedStateEntries()).isEqualTo(1);
            assertThat(h.usersWithState()).containsExactly(USER + 1);
            h.watermark(T0 + HOUR + LIFETIME);
            assertThat(h.keyedStateEntries()).isZero();
            assertThat(h.usersWithState()).isEmpty();
            assertThat(h.eventTimers()).isZero();
        }
    }

    @Test
    void redeliveredBatchesAndEventsChangeNothingNotEvenTheLifetime() throws Exception {
        String doc = definitions(
                audience(1, "{'event': {'name': 'visit', 'within': '1h', 'count': {'op': 'gte', 'value': 2}}}"));
        try (Harness h = Harness.open(settings(doc, LIFETIME))) {
            h.push(batch(USER, T0).requestId("r1").events(custom("visit", T0).messageId("m1")));
            h.push(batch(USER, T0).requestId("r1").events(custom("visit", T0).messageId("m1")));
            // A new request repeating an event already counted: the event counts once.
            h.push(batch(USER, T0 + 10 * MINUTE).requestId("r2").events(custom("visit", T0).messageId("m1")));
            assertThat(brief(h.watermark(T0 + 10 * MINUTE))).isEmpty();
            h.push(batch(USER, T0 + 20 * MINUTE).requestId("r3").events(custom("visit", T0 + 20 * MINUTE).messageId("m2")));
            assertThat(brief(h.watermark(T0 + 20 * MINUTE))).containsExactly(add(1, CRITERIA, T0 + 20 * MINUTE));
            // A retry of r3 stamped later is dropped whole: its event does not count and the
            // deletion stays at r3's time + lifetime.
            h.push(batch(USER, T0 + 50 * MINUTE).requestId("r3").events(custom("visit", T0 + 50 * MINUTE).messageId("m3")));
            long deletion = T0 + 20 * MINUTE + LIFETIME;
            assertThat(brief(h.watermark(deletion - 1))).containsExactly(remove(1, EXPIRY, T0 + HOUR));
            assertThat(h.usersWithState()).containsExactly(USER);
            h.watermark(deletion);
            assertThat(h.usersWithState()).isEmpty();
        }
    }
}
