package org.audienceengine.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.audienceengine.deltas.Reason.CRITERIA;
import static org.audienceengine.deltas.Reason.DEFINITION;
import static org.audienceengine.deltas.Reason.EXPIRY;
import static org.audienceengine.testutils.Batches.DAY;
import static org.audienceengine.testutils.Batches.HOUR;
import static org.audienceengine.testutils.Batches.T0;
import static org.audienceengine.testutils.Batches.audience;
import static org.audienceengine.testutils.Batches.batch;
import static org.audienceengine.testutils.Batches.custom;
import static org.audienceengine.testutils.Batches.definitions;
import static org.audienceengine.testutils.Deltas.add;
import static org.audienceengine.testutils.Deltas.brief;
import static org.audienceengine.testutils.Deltas.remove;

import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;

import org.audienceengine.config.EngineSettings;
import org.audienceengine.config.TimeMode;
import org.audienceengine.deltas.MembershipDelta;
import org.audienceengine.testutils.Harness;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * After a definitions change every user's next instant follows the new audiences, however the
 * change reached them: the backfill walk, or a batch or timer that came first.
 */
class UserAudiencesDefinitionTimersTest {
    private static final long ANN = 1;
    private static final long BOB = 2;
    private static final String VISITED_7D = "{'event': {'name': 'visit', 'within': '7d'}}";
    private static final String VISITED_25H = "{'event': {'name': 'visit', 'within': '25h'}}";
    private static final String PLAN = "{'user_attribute': {'name': 'plan', 'op': 'exists'}}";
    private static final String DOC = definitions(audience(2, VISITED_7D));
    private static final String WITH_25H = definitions(audience(2, VISITED_7D), audience(4, VISITED_25H));

    private static EngineSettings live(String doc) {
        return Harness.settings(doc).timeMode(TimeMode.PROCESSING).build();
    }

    /** When a job that had the 25 h audience from the start removes Ann from it. */
    private static long freshRemovalInstant() throws Exception {
        try (Harness fresh = Harness.open(live(WITH_25H))) {
            fresh.processingTime(T0);
            fresh.push(batch(ANN, T0).events(custom("visit", T0)));
            List<MembershipDelta> later = fresh.processingTime(T0 + 3 * DAY);
            return later.stream().filter(d -> d.audienceId == 4).findFirst().orElseThrow().effectiveAt;
        }
    }

    private static String visitedAtLeast(int n) {
        return definitions(audience(2, "{'event': {'name': 'visit', 'within': '7d', 'count': {'op': 'gte', 'value': " + n + "}}}"));
    }

    @Test
    void aThresholdRaisedWhileAnExpiryIsPendingIsEvaluatedAgainOnTheNextEvents() throws Exception {
        // Ann leaves by the change; the visits after it may not be passed over as a member's.
        try (Harness h = Harness.open(live(visitedAtLeast(1)))) {
            h.processingTime(T0);
            assertThat(brief(h.push(batch(ANN, T0).events(custom("visit", T0))))).containsExactly(add(2, CRITERIA, T0));
            h.processingTime(T0 + HOUR);
            assertThat(brief(h.definitions(visitedAtLeast(3)))).containsExactly(remove(2, DEFINITION, T0 + HOUR));
            h.processingTime(T0 + 2 * HOUR);
            assertThat(h.push(batch(ANN, T0 + 2 * HOUR).events(custom("visit", T0 + 2 * HOUR)))).isEmpty();
            h.processingTime(T0 + 3 * HOUR);
            assertThat(brief(h.push(batch(ANN, T0 + 3 * HOUR).events(custom("visit", T0 + 3 * HOUR)))))
                    .containsExactly(add(2, CRITERIA, T0 + 3 * HOUR));
            assertThat(brief(h.processingTime(T0 + 8 * DAY))).containsExactly(remove(2, EXPIRY, T0 + 7 * DAY));
        }
    }

    @Test
    void aThresholdLoweredWhileAnExpiryIsPendingKeepsTheMemberUntilTheLastVisitLeaves() throws Exception {
        // Ann enters by the change; her next visit is passed over (a member of a count at least 1
        // stays one) and moves her expiry to that visit's edge.
        try (Harness h = Harness.open(live(visitedAtLeast(2)))) {
            h.processingTime(T0);
            assertThat(h.push(batch(ANN, T0).events(custom("visit", T0)))).isEmpty();
            h.processingTime(T0 + HOUR);
            assertThat(brief(h.definitions(visitedAtLeast(1)))).containsExactly(add(2, DEFINITION, T0 + HOUR));
            h.processingTime(T0 + 2 * HOUR);
            assertThat(h.push(batch(ANN, T0 + 2 * HOUR).events(custom("visit", T0 + 2 * HOUR)))).isEmpty();
            assertThat(h.processingTime(T0 + 7 * DAY + HOUR)).as("the first visit left, the second holds").isEmpty();
            assertThat(brief(h.processingTime(T0 + 8 * DAY))).containsExactly(remove(2, EXPIRY, T0 + 7 * DAY + 2 * HOUR));
        }
    }

    @Test
    void aNewAudienceExpiresAtItsOwnWindowEdgeNotAtTheOldTimer() throws Exception {
        long edge = freshRemovalInstant();
        assertThat(edge).isEqualTo(T0 + 25 * HOUR);
        try (Harness h = Harness.open(live(DOC))) {
            h.processingTime(T0);
            h.push(batch(ANN, T0).events(custom("visit", T0)));
            h.processingTime(T0 + HOUR);
            assertThat(brief(h.definitions(WITH_25H))).containsExactly(add(4, DEFINITION, T0 + HOUR));
            assertThat(h.processingTime(edge - 1)).as("one ms before the edge: still a member").isEmpty();
            assertThat(brief(h.processingTime(edge))).containsExactly(remove(4, EXPIRY, edge));
            // The old audience keeps its own edge.
            assertThat(brief(h.processingTime(T0 + 8 * DAY))).containsExactly(remove(2, EXPIRY, T0 + 7 * DAY));
        }
    }

    @Test
    void inEventTimeTheNewAudienceExpiresAtTheSameInstant() throws Exception {
        long edge = freshRemovalInstant();
        try (Harness h = Harness.eventTime(DOC)) {
            h.push(batch(ANN, T0).events(custom("visit", T0)));
            assertThat(brief(h.watermark(T0 + HOUR))).containsExactly(add(2, "criteria", T0));
            assertThat(brief(h.definitions(WITH_25H))).containsExactly(add(4, DEFINITION, T0 + HOUR));
            assertThat(h.watermark(edge - 1)).isEmpty();
            assertThat(brief(h.watermark(edge))).containsExactly(remove(4, EXPIRY, edge));
        }
    }

    @Test
    void aBatchBeforeTheWalkBringsItsUserOverFirstAndTheWalkSkipsThem() throws Exception {
        try (Harness h = Harness.open(live(DOC))) {
            h.processingTime(T0);
            h.push(batch(ANN, T0).attribute("plan", "pro"));
            h.push(batch(BOB, T0).attribute("plan", "free"));
            h.processingTime(T0 + HOUR);
            h.definitionsQueued(definitions(audience(2, VISITED_7D), audience(3, PLAN)));
            assertThat(h.newDeltas()).as("the walk waits in the mailbox").isEmpty();
            h.processingTime(T0 + 2 * HOUR);
            // Ann is brought over at the change's time, before her batch applies.
            List<MembershipDelta> ann = h.push(batch(ANN, T0 + 2 * HOUR).deleteAttribute("plan"));
            assertThat(brief(ann)).containsExactly(add(3, DEFINITION, T0 + HOUR), remove(3, "criteria", T0 + 2 * HOUR));
            List<MembershipDelta> walk = h.settle();
            assertThat(walk).extracting(d -> d.mpid + ":" + d.audienceId + ":" + d.action + ":" + d.effectiveAt)
                    .containsExactly(BOB + ":3:add:" + (T0 + HOUR));
        }
    }

    @Test
    void theWalkYieldsBetweenChunksAndACheckpointInTheMiddleLosesAndRepeatsNoUser() throws Exception {
        int users = 2 * BackfillWalk.CHUNK + 500;
        OperatorSubtaskState midWalk;
        Set<Long> added = new HashSet<>();
        try (Harness h = Harness.open(live(DOC))) {
            h.processingTime(T0);
            for (long mpid = 1; mpid <= users; mpid++) {
                h.push(batch(mpid, T0).attribute("plan", "pro"));
            }
            h.definitionsQueued(definitions(audience(2, VISITED_7D), audience(3, PLAN)));
            assertThat(h.runOneMail()).isTrue();
            List<MembershipDelta> first = h.newDeltas();
            assertThat(first).hasSize(BackfillWalk.CHUNK);
            first.forEach(d -> added.add(d.mpid));
            midWalk = h.snapshot(1, T0);
        }
        // The restored instance starts the walk over and skips the users already brought over.
        try (Harness restored = Harness.restore(live(DOC), midWalk)) {
            List<MembershipDelta> rest = new ArrayList<>();
            while (restored.runOneMail()) {
                List<MembershipDelta> chunk = restored.newDeltas();
                assertThat(chunk.size()).isLessThanOrEqualTo(BackfillWalk.CHUNK);
                rest.addAll(chunk);
            }
            assertThat(rest).hasSize(users - BackfillWalk.CHUNK).allSatisfy(d -> {
                assertThat(d.audienceId).isEqualTo(3);
                assertThat(d.reason).isEqualTo(DEFINITION);
                assertThat(added.add(d.mpid)).as("user %d added once", d.mpid).isTrue();
            });
        }
        assertThat(added).hasSize(users);
    }

    @Test
    void aSecondChangeFinishesTheFirstBeforeItStarts() throws Exception {
        try (Harness h = Harness.open(live(DOC))) {
            h.processingTime(T0);
            h.push(batch(ANN, T0).attribute("plan", "pro"));
            h.definitionsQueued(definitions(audience(2, VISITED_7D), audience(3, PLAN)));
            h.processingTime(T0 + HOUR);
            List<MembershipDelta> deltas = h.definitions(definitions(audience(2, VISITED_7D)));
            assertThat(brief(deltas)).containsExactly(add(3, DEFINITION, T0), remove(3, DEFINITION, T0 + HOUR));
        }
    }
}
