package org.audienceengine.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.audienceengine.deltas.Reason.CRITERIA;
import static org.audienceengine.deltas.Reason.DEFINITION;
import static org.audienceengine.deltas.Reason.EXPIRY;
import static org.audienceengine.testutils.Batches.MINUTE;
import static org.audienceengine.testutils.Batches.T0;
import static org.audienceengine.testutils.Batches.audience;
import static org.audienceengine.testutils.Batches.batch;
import static org.audienceengine.testutils.Batches.custom;
import static org.audienceengine.testutils.Batches.definitions;
import static org.audienceengine.testutils.Deltas.add;
import static org.audienceengine.testutils.Deltas.brief;
import static org.audienceengine.testutils.Deltas.remove;

import org.audienceengine.evaluation.ProfileEvaluator;
import org.audienceengine.testutils.Batches.BatchBuilder;
import org.audienceengine.testutils.Harness;
import org.junit.jupiter.api.Test;

/**
 * Once a timer has fired, the user's next timer is set at the next edge that flips a membership,
 * not at every window edge: edges that flip nothing are evaluated ahead. After a batch it is set at
 * the next edge, as the user's next batch may come first.
 */
class TimerLookaheadTest {
    private static final long USER = 42;
    private static final String TWO_IN_AN_HOUR = definitions(audience(1,
            "{'event': {'name': 'search', 'within': '1h', 'count': {'op': 'gte', 'value': 2}}}"));

    @Test
    void theTimerWaitsForTheEdgeThatFlips() throws Exception {
        try (Harness h = Harness.eventTime(TWO_IN_AN_HOUR)) {
            h.push(searches(0, 10, 20));
            assertThat(brief(h.watermark(T0 + 20 * MINUTE))).containsExactly(add(1, CRITERIA, T0 + 20 * MINUTE));
            // At +60m the first search leaves (3 → 2, still a member); at +70m the second (2 → 1).
            assertThat(h.profile(USER).timerAt).isEqualTo(T0 + 60 * MINUTE);
            assertThat(brief(h.watermark(T0 + 60 * MINUTE))).isEmpty();
            assertThat(h.profile(USER).timerAt).isEqualTo(T0 + 70 * MINUTE);
            assertThat(h.eventTimers()).isEqualTo(1);
            assertThat(brief(h.watermark(T0 + 70 * MINUTE))).containsExactly(remove(1, EXPIRY, T0 + 70 * MINUTE));
            // Nothing flips at +80m either: the timer waits for the profile's end of life.
            assertThat(h.profile(USER).timerAt).isGreaterThan(T0 + 80 * MINUTE);
        }
    }

    @Test
    void pastTheLookaheadTheTimerStopsAtAnEdgeAndGoesOn() throws Exception {
        try (Harness h = Harness.eventTime(definitions(audience(1,
                "{'event': {'name': 'search', 'within': '1h', 'count': {'op': 'gte', 'value': 1}}}")))) {
            // Twelve searches a minute apart: every edge but the last leaves the user a member.
            h.push(searches(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11));
            assertThat(brief(h.watermark(T0 + 11 * MINUTE))).containsExactly(add(1, CRITERIA, T0 + 11 * MINUTE));
            assertThat(h.profile(USER).timerAt).isEqualTo(T0 + 60 * MINUTE);
            assertThat(brief(h.watermark(T0 + 60 * MINUTE))).isEmpty();
            long resume = T0 + (61 + ProfileEvaluator.LOOKAHEAD) * MINUTE;
            assertThat(h.profile(USER).timerAt).isEqualTo(resume);
            assertThat(brief(h.watermark(resume))).isEmpty();
            assertThat(h.profile(USER).timerAt).isEqualTo(T0 + 71 * MINUTE);
            assertThat(brief(h.watermark(T0 + 71 * MINUTE))).containsExactly(remove(1, EXPIRY, T0 + 71 * MINUTE));
        }
    }

    /** A change of definitions while the timer waits past edges the old audiences did not flip at. */
    @Test
    void aDefinitionChangeWhileTheTimerLooksPastEdges() throws Exception {
        try (Harness h = Harness.eventTime(TWO_IN_AN_HOUR)) {
            h.push(searches(0, 10, 20));
            assertThat(brief(h.watermark(T0 + 60 * MINUTE))).containsExactly(add(1, CRITERIA, T0 + 20 * MINUTE));
            assertThat(h.profile(USER).timerAt).isEqualTo(T0 + 70 * MINUTE);
            h.watermark(T0 + 65 * MINUTE);
            // The new audience's own edges (+70m, +80m) must be reached although the timer was set for the old set.
            assertThat(brief(h.definitions(definitions(audience(1,
                    "{'event': {'name': 'search', 'within': '1h', 'count': {'op': 'gte', 'value': 2}}}"), audience(2,
                    "{'event': {'name': 'search', 'within': '1h', 'count': {'op': 'gte', 'value': 1}}}")))))
                    .containsExactly(add(2, DEFINITION, T0 + 65 * MINUTE));
            assertThat(brief(h.watermark(T0 + 75 * MINUTE))).containsExactly(remove(1, EXPIRY, T0 + 70 * MINUTE));
            assertThat(brief(h.watermark(T0 + 90 * MINUTE))).containsExactly(remove(2, EXPIRY, T0 + 80 * MINUTE));
        }
    }

    private static BatchBuilder searches(int... minutes) {
        long last = T0 + minutes[minutes.length - 1] * MINUTE;
        BatchBuilder b = batch(USER, last);
        for (int m : minutes) {
            b.events(custom("search", T0 + m * MINUTE));
        }
        return b;
    }
}
