package org.audienceengine.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.audienceengine.deltas.Reason.CRITERIA;
import static org.audienceengine.deltas.Reason.EXPIRY;
import static org.audienceengine.deltas.Reason.PROFILE_EXPIRED;
import static org.audienceengine.testutils.Batches.DAY;
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

import org.audienceengine.testutils.Harness;
import org.junit.jupiter.api.Test;

/**
 * Timers (one per user with state, none left behind), replay order (batch time, then input
 * order, with expiry instants in between evaluated first) and the {@code until} bound.
 */
class UserAudiencesTimersTest {
    private static final long ANN = 1;
    private static final long BOB = 2;
    private static final String DOC = definitions(
            audience(1, "{'event': {'name': 'visit', 'within': '1h'}}"),
            audience(2, "{'user_attribute': {'name': 'plan', 'op': 'equals', 'value': 'pro'}}"));
    private static final long LIFETIME = 3 * DAY;

    @Test
    void oneTimerPerUserWithStateAndNoneAfterTheProfileIsGone() throws Exception {
        try (Harness h = Harness.open(Harness.settings(DOC).profileLifetimeMs(LIFETIME).build())) {
            h.push(batch(ANN, T0).events(custom("visit", T0)));
            h.push(batch(BOB, T0).attribute("plan", "pro"));
            // Buffered batches wait on a timer at their batch time (one per user and instant).
            assertThat(h.eventTimers()).isEqualTo(2);
            h.watermark(T0);
            assertThat(h.eventTimers()).isEqualTo(2);

            // Ann's window edge (T0 + 1h) is her next instant; a new batch before it keeps one timer.
            h.push(batch(ANN, T0 + 10 * MINUTE).attribute("plan", "pro"));
            assertThat(h.eventTimers()).isEqualTo(3);
            h.watermark(T0 + 10 * MINUTE);
            assertThat(h.eventTimers()).isEqualTo(2);
            assertThat(brief(h.watermark(T0 + HOUR))).containsExactly(remove(1, EXPIRY, T0 + HOUR));
            // Now only the profile lifetime is ahead of Ann.
            assertThat(h.eventTimers()).isEqualTo(2);

            // Bob's later batch moves his deletion: the old timer must go, not linger beside the new one.
            h.push(batch(BOB, T0 + 2 * HOUR).attribute("x", 1));
            h.watermark(T0 + 2 * HOUR);
            assertThat(h.eventTimers()).isEqualTo(2);
            assertThat(brief(h.watermark(T0 + LIFETIME))).isEmpty();

            long annGone = T0 + 10 * MINUTE + LIFETIME;
            assertThat(brief(h.watermark(annGone))).containsExactly(remove(2, PROFILE_EXPIRED, annGone));
            assertThat(h.eventTimers()).isEqualTo(1);
            assertThat(h.usersWithState()).containsExactly(BOB);
            long bobGone = T0 + 2 * HOUR + LIFETIME;
            assertThat(brief(h.watermark(bobGone))).containsExactly(remove(2, PROFILE_EXPIRED, bobGone));
            assertThat(h.eventTimers()).isZero();
            assertThat(h.usersWithState()).isEmpty();
        }
    }

    /**
     * The timer armed after a batch is its next edge, and the next batch walks only the series it
     * touches: with two batches at one instant, the edge the first brings must not be lost to the
     * second, which touches nothing.
     */
    @Test
    void batchesAtOneInstantKeepTheEarliestEdgeAnyOfThemBrings() throws Exception {
        String doc = definitions(
                audience(1, "{'event': {'name': 'visit', 'within': '30m'}}"),
                audience(2, "{'event': {'name': 'buy', 'within': '2h'}}"));
        try (Harness h = Harness.eventTime(doc)) {
            h.push(batch(ANN, T0).events(custom("buy", T0)));
            assertThat(brief(h.watermark(T0))).containsExactly(add(2, CRITERIA, T0));
            long t1 = T0 + 10 * MINUTE;
            h.push(batch(ANN, t1).events(custom("visit", t1)));
            h.push(batch(ANN, t1).attribute("plan", "pro"));
            assertThat(brief(h.watermark(t1))).containsExactly(add(1, CRITERIA, t1));
            assertThat(brief(h.watermark(T0 + 2 * HOUR))).containsExactly(
                    remove(1, EXPIRY, t1 + 30 * MINUTE), remove(2, EXPIRY, T0 + 2 * HOUR));
        }
    }

    @Test
    void aBatchBufferedAtTheUsersExpiryInstantSharesItsTimer() throws Exception {
        try (Harness h = Harness.eventTime(DOC)) {
            h.push(batch(ANN, T0).events(custom("visit", T0)));
            assertThat(brief(h.watermark(T0))).containsExactly(add(1, CRITERIA, T0));
            h.push(batch(ANN, T0 + HOUR).attribute("plan", "pro"));
            assertThat(h.eventTimers()).isEqualTo(1);
            assertThat(brief(h.watermark(T0 + HOUR))).containsExactly(
                    remove(1, EXPIRY, T0 + HOUR), add(2, CRITERIA, T0 + HOUR));
            assertThat(h.eventTimers()).isEqualTo(1);
        }
    }

    @Test
    void batchesAreAppliedInBatchTimeOrderWithExpiriesInBetween() throws Exception {
        try (Harness h = Harness.eventTime(DOC)) {
            // Input order is the reverse of time order.
            h.push(batch(ANN, T0 + 90 * MINUTE).events(custom("visit", T0 + 90 * MINUTE)));
            h.push(batch(ANN, T0 + 30 * MINUTE).attribute("plan", "pro"));
            h.push(batch(ANN, T0).events(custom("visit", T0)).attribute("plan", "free"));
            assertThat(brief(h.newDeltas())).isEmpty();
            // One jump of the watermark over everything: the end of a bounded replay.
            assertThat(brief(h.watermark(Long.MAX_VALUE))).containsExactly(
                    add(1, CRITERIA, T0),
                    add(2, CRITERIA, T0 + 30 * MINUTE),
                    remove(1, EXPIRY, T0 + HOUR),
                    add(1, CRITERIA, T0 + 90 * MINUTE),
                    remove(1, EXPIRY, T0 + 150 * MINUTE),
                    remove(2, PROFILE_EXPIRED, T0 + 90 * MINUTE + 90 * DAY));
        }
    }

    @Test
    void batchesWithTheSameTimeKeepInputOrder() throws Exception {
        try (Harness h = Harness.eventTime(DOC)) {
            h.push(batch(ANN, T0).attribute("plan", "pro"));
            // Ingest numbers records in input order; arrival at the operator may differ.
            h.push(batch(ANN, T0 + MINUTE).attribute("plan", "pro").ingested(20, null));
            h.push(batch(ANN, T0 + MINUTE).attribute("plan", "basic").ingested(10, null));
            assertThat(brief(h.watermark(T0 + MINUTE))).containsExactly(
                    add(2, CRITERIA, T0), remove(2, CRITERIA, T0 + MINUTE), add(2, CRITERIA, T0 + MINUTE));
        }
    }

    @Test
    void untilIgnoresLaterBatchesAndLaterExpiries() throws Exception {
        long until = T0 + HOUR + 30 * MINUTE;
        try (Harness h = Harness.open(Harness.settings(DOC).untilMs(until).profileLifetimeMs(HOUR).build())) {
            h.push(batch(ANN, T0 + 30 * MINUTE).events(custom("visit", T0 + 30 * MINUTE)));
            h.push(batch(BOB, T0 + 40 * MINUTE).events(custom("visit", T0 + 40 * MINUTE)));
            // Exactly at until: applied. One millisecond after: ignored, leaving no state.
            h.push(batch(BOB, until).attribute("plan", "pro"));
            h.push(batch(ANN, until + 1).attribute("plan", "pro"));
            h.push(batch(3, until + 1).attribute("plan", "pro"));
            assertThat(h.usersWithState()).containsExactly(ANN, BOB);
            // Ann's visit leaves at until (applied); her profile would expire at until too.
            // Users are independent: only the order within one user is defined.
            assertThat(brief(h.watermark(Long.MAX_VALUE))).containsExactlyInAnyOrder(
                    add(1, CRITERIA, T0 + 30 * MINUTE),
                    add(1, CRITERIA, T0 + 40 * MINUTE),
                    remove(1, PROFILE_EXPIRED, until),
                    add(2, CRITERIA, until));
            // Bob's visit would leave at until + 10m: after until, so no timer waits for it.
            assertThat(h.eventTimers()).isZero();
            assertThat(h.usersWithState()).containsExactly(BOB);
        }
    }
}
