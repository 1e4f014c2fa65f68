package org.audienceengine.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.audienceengine.deltas.Reason.CRITERIA;
import static org.audienceengine.deltas.Reason.DEFINITION;
import static org.audienceengine.testutils.Batches.HOUR;
import static org.audienceengine.testutils.Batches.T0;
import static org.audienceengine.testutils.Batches.audience;
import static org.audienceengine.testutils.Batches.batch;
import static org.audienceengine.testutils.Batches.custom;
import static org.audienceengine.testutils.Batches.definitions;
import static org.audienceengine.testutils.Deltas.add;
import static org.audienceengine.testutils.Deltas.brief;
import static org.audienceengine.testutils.Deltas.remove;

import org.audienceengine.config.TimeMode;
import org.audienceengine.deltas.MembershipDelta;
import org.audienceengine.testutils.Harness;
import org.junit.jupiter.api.Test;

import java.util.List;

/** audiences.md "Changes at run time", applied to every user in state at once. */
class UserAudiencesDefinitionChangeTest {
    private static final long ANN = 1;
    private static final long BOB = 2;
    private static final String PRO = "{'user_attribute': {'name': 'plan', 'op': 'equals', 'value': 'pro'}}";
    private static final String VISITED = "{'event': {'name': 'visit', 'within': '7d'}}";
    private static final String DOC = definitions(audience(1, PRO), audience(2, VISITED));

    /** Processing time, so the change applies at the wall clock (the live mode). */
    private static Harness live() throws Exception {
        Harness h = Harness.open(Harness.settings(DOC).timeMode(TimeMode.PROCESSING).build());
        h.processingTime(T0);
        h.push(batch(ANN, T0).attribute("plan", "pro").events(custom("visit", T0)));
        h.push(batch(BOB, T0).attribute("plan", "free"));
        return h;
    }

    @Test
    void aNewAudienceAddsUsersAlreadyInStateWithoutNewData() throws Exception {
        try (Harness h = live()) {
            h.processingTime(T0 + HOUR);
            List<MembershipDelta> deltas = h.definitions(definitions(
                    audience(1, PRO), audience(2, VISITED),
                    audience(3, "{'user_attribute': {'name': 'plan', 'op': 'exists'}}"),
                    // Shares the series of audience 2, so it sees the visit already counted.
                    audience(4, "{'event': {'name': 'visit', 'within': '7d', 'count': {'op': 'gte', 'value': 1}}}")));
            assertThat(deltas).extracting(d -> d.mpid + ":" + d.audienceId + ":" + d.action + ":" + d.reason)
                    .containsExactlyInAnyOrder(
                            "1:3:add:definition", "2:3:add:definition", "1:4:add:definition");
            assertThat(deltas).allSatisfy(d -> {
                assertThat(d.effectiveAt).isEqualTo(T0 + HOUR);
                assertThat(d.seq).isEqualTo(1);
            });
        }
    }

    @Test
    void aChangedAudienceRemovesUsersWhoNoLongerMatch() throws Exception {
        try (Harness h = live()) {
            h.processingTime(T0 + HOUR);
            List<MembershipDelta> deltas = h.definitions(definitions(
                    audience(1, "{'user_attribute': {'name': 'plan', 'op': 'equals', 'value': 'free'}}"),
                    audience(2, VISITED)));
            assertThat(deltas).extracting(d -> d.mpid + ":" + d.audienceId + ":" + d.action + ":" + d.reason + ":" + d.seq)
                    .containsExactlyInAnyOrder("1:1:remove:definition:2", "2:1:add:definition:1");
        }
    }

    @Test
    void removedAndDisabledAudiencesRemoveEveryMember() throws Exception {
        try (Harness h = live()) {
            List<MembershipDelta> deltas = h.definitions(definitions(
                    "{\"id\": 2, \"name\": \"a2\", \"enabled\": false, \"criteria\": " + VISITED.replace('\'', '"') + "}"));
            assertThat(deltas).extracting(d -> d.mpid + ":" + d.audienceId + ":" + d.action + ":" + d.reason)
                    .containsExactlyInAnyOrder("1:1:remove:definition", "1:2:remove:definition");
            assertThat(deltas).filteredOn(d -> d.audienceId == 1).first()
                    .satisfies(d -> assertThat(d.audienceName).isEqualTo("a1"));
            // The new set stays in force for later batches.
            assertThat(brief(h.push(batch(BOB, T0 + 1).attribute("plan", "pro").events(custom("visit", T0 + 1)))))
                    .isEmpty();
        }
    }

    @Test
    void anInvalidDocumentChangesNothing() throws Exception {
        try (Harness h = live()) {
            assertThat(h.definitions("{\"audiences\": [{\"id\": 1}]}")).isEmpty();
            assertThat(h.definitions("not json")).isEmpty();
            // The running set still decides: Bob becomes pro and joins audience 1.
            assertThat(brief(h.push(batch(BOB, T0 + 2).attribute("plan", "pro"))))
                    .containsExactly(add(1, CRITERIA, T0));
        }
    }

    @Test
    void theSetInForceSurvivesARestore() throws Exception {
        String changed = definitions(audience(1, "{'user_attribute': {'name': 'plan', 'op': 'exists'}}"), audience(2, VISITED));
        var settings = Harness.settings(DOC).timeMode(TimeMode.PROCESSING).build();
        org.apache.flink.runtime.checkpoint.OperatorSubtaskState snapshot;
        try (Harness h = live()) {
            assertThat(brief(h.definitions(changed))).containsExactly(add(1, DEFINITION, T0));
            snapshot = h.snapshot(1, T0);
        }
        try (Harness restored = Harness.restore(settings, snapshot)) {
            restored.processingTime(T0 + HOUR);
            // Under the started-with document Bob (plan gone) would not change; under the
            // restored one he leaves audience 1 when his plan is deleted.
            assertThat(brief(restored.push(batch(BOB, T0 + HOUR).deleteAttribute("plan"))))
                    .containsExactly(remove(1, CRITERIA, T0 + HOUR));
        }
    }
}
