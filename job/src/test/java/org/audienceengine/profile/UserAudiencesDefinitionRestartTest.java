package org.audienceengine.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.audienceengine.deltas.Reason.CRITERIA;
import static org.audienceengine.deltas.Reason.DEFINITION;
import static org.audienceengine.testutils.Batches.DAY;
import static org.audienceengine.testutils.Batches.HOUR;
import static org.audienceengine.testutils.Batches.T0;
import static org.audienceengine.testutils.Batches.audience;
import static org.audienceengine.testutils.Batches.batch;
import static org.audienceengine.testutils.Batches.custom;
import static org.audienceengine.testutils.Batches.definitions;
import static org.audienceengine.testutils.Deltas.brief;
import static org.audienceengine.testutils.Deltas.remove;

import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;

import org.audienceengine.config.EngineSettings;
import org.audienceengine.config.TimeMode;
import org.audienceengine.testutils.Harness;
import org.junit.jupiter.api.Test;

/**
 * A restart from a checkpoint or savepoint with the file given at submit: a changed file is
 * applied as a change (never silently ignored), an unchanged one changes nothing and leaves a
 * published document in force.
 */
class UserAudiencesDefinitionRestartTest {
    private static final long ANN = 1;
    private static final long BOB = 2;
    private static final String PRO = "{'user_attribute': {'name': 'plan', 'op': 'equals', 'value': 'pro'}}";
    private static final String VISITED = "{'event': {'name': 'visit', 'within': '7d'}}";
    private static final String IN_2 = "{'audience': {'id': 2}}";
    private static final String FILE = definitions(audience(1, PRO), audience(2, VISITED), audience(5, IN_2));

    private static EngineSettings live(String file) {
        return Harness.settings(file).timeMode(TimeMode.PROCESSING).build();
    }

    /** Ann is pro and visited (audiences 1, 2 and 5); Bob is neither. */
    private static OperatorSubtaskState running(String published) throws Exception {
        try (Harness h = Harness.open(live(FILE))) {
            h.processingTime(T0);
            h.push(batch(ANN, T0).attribute("plan", "pro").events(custom("visit", T0)));
            h.push(batch(BOB, T0).attribute("plan", "free"));
            assertThat(h.allDeltas()).hasSize(3);
            if (published != null) {
                h.definitions(published);
            }
            return h.snapshot(1, T0);
        }
    }

    private static String disabled(int id, String criteria) {
        return "{\"id\": " + id + ", \"name\": \"a" + id + "\", \"enabled\": false, \"criteria\": "
                + criteria.replace('\'', '"') + "}";
    }

    @Test
    void aFileWithoutAnAudienceRemovesItsMembersAtRestart() throws Exception {
        OperatorSubtaskState snapshot = running(null);
        String changed = definitions(audience(2, VISITED), audience(5, IN_2));
        try (Harness restarted = Harness.restore(live(changed), snapshot)) {
            restarted.processingTime(T0 + HOUR);
            assertThat(restarted.settle()).singleElement().satisfies(d -> {
                assertThat(d.mpid).isEqualTo(ANN);
                assertThat(d.audienceId).isEqualTo(1);
                assertThat(d.action).isEqualTo("remove");
                assertThat(d.reason).isEqualTo(DEFINITION);
                assertThat(d.seq).isEqualTo(2);
            });
        }
    }

    @Test
    void aDisabledAudienceRemovesItsMembersAtRestart() throws Exception {
        OperatorSubtaskState snapshot = running(null);
        // A nested audience may not refer to a disabled one: audience 5 goes with it.
        String changed = definitions(audience(1, PRO), disabled(2, VISITED));
        try (Harness restarted = Harness.restore(live(changed), snapshot)) {
            assertThat(brief(restarted.settle())).containsExactlyInAnyOrder(
                    remove(2, DEFINITION, T0), remove(5, DEFINITION, T0));
            // Ann's next visit no longer counts: audience 2 stays disabled.
            assertThat(restarted.push(batch(ANN, T0 + 1).events(custom("visit", T0 + 1)))).isEmpty();
        }
    }

    @Test
    void aNestedAudienceFollowsTheAudienceItRefersTo() throws Exception {
        OperatorSubtaskState snapshot = running(null);
        String changed = definitions(audience(1, PRO), audience(2, "{'event': {'name': 'purchase', 'within': '7d'}}"),
                audience(5, IN_2));
        try (Harness restarted = Harness.restore(live(changed), snapshot)) {
            assertThat(brief(restarted.settle())).containsExactly(remove(2, DEFINITION, T0), remove(5, DEFINITION, T0));
        }
    }

    @Test
    void aNewAudienceInTheFileAddsUsersAlreadyInState() throws Exception {
        OperatorSubtaskState snapshot = running(null);
        String changed = definitions(audience(1, PRO), audience(2, VISITED), audience(5, IN_2),
                audience(3, "{'user_attribute': {'name': 'plan', 'op': 'exists'}}"));
        try (Harness restarted = Harness.restore(live(changed), snapshot)) {
            assertThat(restarted.settle()).extracting(d -> d.mpid + ":" + d.audienceId + ":" + d.action)
                    .containsExactlyInAnyOrder(ANN + ":3:add", BOB + ":3:add");
        }
    }

    @Test
    void theSameFileChangesNothingAndKeepsTheTimers() throws Exception {
        OperatorSubtaskState snapshot = running(null);
        try (Harness restarted = Harness.restore(live(FILE), snapshot)) {
            assertThat(restarted.settle()).isEmpty();
            assertThat(restarted.processingTimers()).as("Ann's window edge, Bob's profile lifetime").isEqualTo(2);
            // Ann's visit leaves its window on time (audience 5 follows audience 2).
            assertThat(brief(restarted.processingTime(T0 + 8 * DAY)))
                    .containsExactly(remove(2, "expiry", T0 + 7 * DAY), remove(5, "expiry", T0 + 7 * DAY));
        }
    }

    @Test
    void aPublishedDocumentStaysWhenTheFileIsUnchanged() throws Exception {
        String published = definitions(audience(1, "{'user_attribute': {'name': 'plan', 'op': 'exists'}}"),
                audience(2, VISITED), audience(5, IN_2));
        OperatorSubtaskState snapshot = running(published);
        try (Harness restarted = Harness.restore(live(FILE), snapshot)) {
            assertThat(restarted.settle()).isEmpty();
            restarted.processingTime(T0 + HOUR);
            // Under the file Bob (free) would stay out of audience 1; under the published one he is in.
            assertThat(brief(restarted.push(batch(BOB, T0 + HOUR).deleteAttribute("plan"))))
                    .containsExactly(remove(1, CRITERIA, T0 + HOUR));
        }
    }

    @Test
    void aChangedFileReplacesAPublishedDocument() throws Exception {
        String published = definitions(audience(1, "{'user_attribute': {'name': 'plan', 'op': 'exists'}}"),
                audience(2, VISITED), audience(5, IN_2));
        OperatorSubtaskState snapshot = running(published);
        String changed = definitions(audience(1, PRO), audience(2, VISITED));
        try (Harness restarted = Harness.restore(live(changed), snapshot)) {
            // The harness's clock reads 0 at the restore: the change applies at each user's last batch.
            assertThat(brief(restarted.settle())).containsExactlyInAnyOrder(
                    remove(1, DEFINITION, T0), remove(5, DEFINITION, T0));
            assertThat(restarted.allDeltas()).filteredOn(d -> d.audienceId == 1)
                    .extracting(d -> d.mpid).containsExactly(BOB);
            // And it is the document in force from now on: a restart with it again changes nothing.
            try (Harness again = Harness.restore(live(changed), restarted.snapshot(2, T0))) {
                assertThat(again.settle()).isEmpty();
            }
        }
    }
}
