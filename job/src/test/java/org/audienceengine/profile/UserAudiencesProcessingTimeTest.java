package org.audienceengine.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.audienceengine.deltas.Reason.CRITERIA;
import static org.audienceengine.deltas.Reason.EXPIRY;
import static org.audienceengine.deltas.Reason.PROFILE_EXPIRED;
import static org.audienceengine.testutils.Batches.DAY;
import static org.audienceengine.testutils.Batches.HOUR;
import static org.audienceengine.testutils.Batches.MINUTE;
import static org.audienceengine.testutils.Batches.SECOND;
import static org.audienceengine.testutils.Batches.T0;
import static org.audienceengine.testutils.Batches.audience;
import static org.audienceengine.testutils.Batches.batch;
import static org.audienceengine.testutils.Batches.custom;
import static org.audienceengine.testutils.Batches.definitions;
import static org.audienceengine.testutils.Deltas.add;
import static org.audienceengine.testutils.Deltas.brief;
import static org.audienceengine.testutils.Deltas.remove;

import org.audienceengine.config.EngineSettings;
import org.audienceengine.config.TimeMode;
import org.audienceengine.deltas.MembershipDelta;
import org.audienceengine.testutils.Harness;
import org.junit.jupiter.api.Test;

import java.util.List;

/** Live mode: batches apply at the current processing time and expiries fire from processing-time timers. */
class UserAudiencesProcessingTimeTest {
    private static final long USER = 5;
    private static final String DOC = definitions(
            audience(1, "{'event': {'name': 'visit', 'within': '1h'}}"),
            audience(2, "{'event': {'name': 'visit', 'within': '1h', 'count': {'op': 'gte', 'value': 2}}}"),
            audience(3, "{'user_attribute': {'name': 'plan', 'op': 'exists'}}"));

    private static EngineSettings live(long lifetime) {
        return EngineSettings.builder(DOC).timeMode(TimeMode.PROCESSING).profileLifetimeMs(lifetime).build();
    }

    @Test
    void batchAppliesAtProcessingTimeAndLeavesAtTheEventsBucketEdge() throws Exception {
        try (Harness h = Harness.open(live(30 * DAY))) {
            h.processingTime(T0 + 40 * MINUTE);
            // The event happened 30 minutes before it reached the engine: the delta is stamped
            // with arrival, but the event leaves the window one hour after its own bucket.
            long event = T0 + 10 * MINUTE + 25 * SECOND;
            assertThat(brief(h.push(batch(USER, event).events(custom("visit", event)))))
                    .containsExactly(add(1, CRITERIA, T0 + 40 * MINUTE));
            assertThat(h.processingTimers()).isEqualTo(1);
            assertThat(h.eventTimers()).isZero();
            assertThat(brief(h.processingTime(T0 + 70 * MINUTE - 1))).isEmpty();
            assertThat(brief(h.processingTime(T0 + 70 * MINUTE))).containsExactly(remove(1, EXPIRY, T0 + 70 * MINUTE));
            assertThat(h.processingTimers()).isEqualTo(1);
        }
    }

    @Test
    void eventsFarInTheFutureCountAsNowAndNearFutureOnesWhenTheyHappen() throws Exception {
        try (Harness h = Harness.open(live(30 * DAY))) {
            h.processingTime(T0);
            // 10 minutes ahead is over the 5-minute allowance: it happened now.
            assertThat(brief(h.push(batch(USER, T0).events(custom("visit", T0 + 10 * MINUTE)))))
                    .containsExactly(add(1, CRITERIA, T0));
            // 4 minutes ahead is believed: it enters the window when its time comes.
            assertThat(brief(h.push(batch(USER, T0).events(custom("visit", T0 + 4 * MINUTE))))).isEmpty();
            assertThat(brief(h.processingTime(T0 + 4 * MINUTE))).containsExactly(add(2, EXPIRY, T0 + 4 * MINUTE));
            assertThat(brief(h.processingTime(T0 + 3 * HOUR))).containsExactly(
                    remove(2, EXPIRY, T0 + HOUR), remove(1, EXPIRY, T0 + 64 * MINUTE));
        }
    }

    @Test
    void profileExpiresOnTheWallClockAndTheUserComesBackAsANewProfile() throws Exception {
        try (Harness h = Harness.open(live(2 * HOUR))) {
            h.processingTime(T0 + 5 * MINUTE);
            h.push(batch(USER, T0 + 5 * MINUTE).attribute("plan", "pro").events(custom("visit", T0 + 5 * MINUTE)));
            assertThat(brief(h.processingTime(T0 + 65 * MINUTE))).containsExactly(remove(1, EXPIRY, T0 + 65 * MINUTE));
            assertThat(brief(h.processingTime(T0 + 125 * MINUTE - 1))).isEmpty();
            assertThat(brief(h.processingTime(T0 + 125 * MINUTE))).containsExactly(remove(3, PROFILE_EXPIRED, T0 + 125 * MINUTE));
            assertThat(h.usersWithState()).isEmpty();
            assertThat(h.processingTimers()).isZero();

            h.processingTime(T0 + 3 * HOUR);
            List<MembershipDelta> again = h.push(batch(USER, T0 + 3 * HOUR).attribute("plan", "free"));
            assertThat(again).extracting(d -> d.deltaId).containsExactly("3:5:" + (T0 + 3 * HOUR) + ":1");
        }
    }

    /**
     * In a running task a due timer reaches the operator through the mailbox, so a batch can be
     * processed after the clock passed the user's timer but before that timer fires. The batch
     * first evaluates the overdue instant (the user leaves at exactly the window edge, reason
     * expiry), then applies itself; the late timer must then change nothing.
     */
    @Test
    void aBatchAfterADueTimerEvaluatesTheDueInstantFirst() throws Exception {
        try (Harness h = Harness.open(live(30 * DAY))) {
            h.processingTime(T0);
            h.push(batch(USER, T0).events(custom("visit", T0), custom("visit", T0)));
            assertThat(h.newDeltas()).isEmpty();
            assertThat(brief(h.allDeltas())).containsExactly(add(1, CRITERIA, T0), add(2, CRITERIA, T0));

            // The visits at T0 leave at T0 + 1h; the clock is past that when the next batch comes.
            h.advanceClockWithoutFiringTimers(T0 + 65 * MINUTE);
            long early = T0 + 62 * MINUTE;
            assertThat(brief(h.push(batch(USER, T0 + 65 * MINUTE).events(custom("visit", early), custom("visit", T0 + 65 * MINUTE)))))
                    .containsExactly(remove(1, EXPIRY, T0 + HOUR), remove(2, EXPIRY, T0 + HOUR),
                            add(1, CRITERIA, T0 + 65 * MINUTE), add(2, CRITERIA, T0 + 65 * MINUTE));
            assertThat(h.processingTimers()).isEqualTo(1);
            assertThat(brief(h.processingTime(T0 + 65 * MINUTE))).isEmpty();
            // The next real edge: the visit at 62m leaves at 122m.
            assertThat(brief(h.processingTime(T0 + 122 * MINUTE - 1))).isEmpty();
            assertThat(brief(h.processingTime(T0 + 122 * MINUTE))).containsExactly(remove(2, EXPIRY, T0 + 122 * MINUTE));
            assertThat(h.processingTimers()).isEqualTo(1);
        }
    }

    @Test
    void aBatchAfterAnOverdueProfileExpiryDeletesTheOldProfileFirst() throws Exception {
        try (Harness h = Harness.open(live(HOUR))) {
            h.processingTime(T0);
            assertThat(brief(h.push(batch(USER, T0).attribute("plan", "pro")))).containsExactly(add(3, CRITERIA, T0));
            h.advanceClockWithoutFiringTimers(T0 + 90 * MINUTE);
            List<MembershipDelta> deltas = h.push(batch(USER, T0 + 90 * MINUTE).attribute("plan", "pro"));
            assertThat(brief(deltas)).containsExactly(remove(3, PROFILE_EXPIRED, T0 + HOUR), add(3, CRITERIA, T0 + 90 * MINUTE));
            assertThat(deltas).extracting(d -> d.deltaId)
                    .containsExactly("3:5:" + T0 + ":2", "3:5:" + (T0 + 90 * MINUTE) + ":1");
            assertThat(brief(h.processingTime(T0 + 90 * MINUTE))).isEmpty();
            assertThat(brief(h.processingTime(T0 + 150 * MINUTE))).containsExactly(remove(3, PROFILE_EXPIRED, T0 + 150 * MINUTE));
            assertThat(h.processingTimers()).isZero();
        }
    }
}
