package org.audienceengine.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.audienceengine.deltas.Reason.CRITERIA;
import static org.audienceengine.deltas.Reason.EXPIRY;
import static org.audienceengine.testutils.Batches.DAY;
import static org.audienceengine.testutils.Batches.HOUR;
import static org.audienceengine.testutils.Batches.MINUTE;
import static org.audienceengine.testutils.Batches.SECOND;
import static org.audienceengine.testutils.Batches.T0;
import static org.audienceengine.testutils.Batches.audience;
import static org.audienceengine.testutils.Batches.batch;
import static org.audienceengine.testutils.Batches.commerce;
import static org.audienceengine.testutils.Batches.custom;
import static org.audienceengine.testutils.Batches.definitions;
import static org.audienceengine.testutils.Deltas.add;
import static org.audienceengine.testutils.Deltas.brief;
import static org.audienceengine.testutils.Deltas.remove;

import org.audienceengine.testutils.Harness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Window expiry at the exact instant of audiences.md, {@code (q(t) + W/b) · b}: one-minute buckets
 * up to 24 h, one-hour buckets beyond. The watermark one millisecond before the instant leaves the
 * user a member; the watermark at the instant removes them, stamped with the instant.
 */
class UserAudiencesExpiryTest {
    private static final long USER = 7;

    @ParameterizedTest(name = "{0} window, event at T0+{1}ms leaves at T0+{2}ms")
    @CsvSource({
        // 30m, minute buckets: 10m25s lies in bucket 10, which leaves at 40m (not 40m25s).
        "30m, 625000, 2400000",
        // 24h is still minute buckets: 30m25s leaves at 24h30m.
        "24h, 1825000, 88200000",
        // 25h switches to hour buckets: 30m25s lies in hour 0, which leaves at 25h.
        "25h, 1825000, 90000000",
        // 1441m is not a whole number of hours: it spans 25 hour buckets, like 25h.
        "1441m, 1825000, 90000000",
        // 7d: 5h17m3s lies in hour 5, which leaves at 7d5h, 17m3s before "7 days later".
        "7d, 19023000, 622800000",
        // 90d, the longest window.
        "90d, 3599999, 7776000000"
    })
    void memberUntilTheBucketEdgeThenRemovedAtIt(String within, long eventOffset, long leaveOffset) throws Exception {
        try (Harness h = Harness.eventTime(definitions(audience(1, "{'event': {'name': 'visit', 'within': '" + within + "'}}")))) {
            long event = T0 + eventOffset;
            long leave = T0 + leaveOffset;
            h.push(batch(USER, event).events(custom("visit", event)));
            assertThat(brief(h.watermark(event))).containsExactly(add(1, CRITERIA, event));
            assertThat(h.eventTimers()).isEqualTo(1);
            assertThat(brief(h.watermark(leave - 1))).isEmpty();
            assertThat(brief(h.watermark(leave))).containsExactly(remove(1, EXPIRY, leave));
        }
    }

    @Test
    void countDropsBelowThresholdWhenTheOldestBucketLeaves() throws Exception {
        try (Harness h = Harness.eventTime(definitions(
                audience(1, "{'event': {'name': 'visit', 'within': '10m', 'count': {'op': 'gte', 'value': 2}}}")))) {
            h.push(batch(USER, T0 + 30 * SECOND).events(custom("visit", T0 + 30 * SECOND)));
            h.push(batch(USER, T0 + 4 * MINUTE).events(custom("visit", T0 + 4 * MINUTE), custom("visit", T0 + 4 * MINUTE)));
            assertThat(brief(h.watermark(T0 + 4 * MINUTE))).containsExactly(add(1, CRITERIA, T0 + 4 * MINUTE));
            // The first event leaves at 10m; two are left, still enough.
            assertThat(brief(h.watermark(T0 + 14 * MINUTE - 1))).isEmpty();
            assertThat(brief(h.watermark(T0 + 14 * MINUTE))).containsExactly(remove(1, EXPIRY, T0 + 14 * MINUTE));
        }
    }

    @Test
    void twoWindowsOfOneSeriesLeavingAtTheSameInstantBothFlipThere() throws Exception {
        // One series, two windows: at 2h the 1h window loses the event of minute 60 and the 2h
        // window the event of minute 0. Each edge marks only its own window's audience.
        try (Harness h = Harness.eventTime(definitions(
                audience(1, "{'event': {'name': 'visit', 'within': '1h'}}"),
                audience(2, "{'event': {'name': 'visit', 'within': '2h', 'count': {'op': 'gte', 'value': 2}}}")))) {
            long first = T0 + 30 * SECOND;
            long second = T0 + HOUR + 30 * SECOND;
            h.push(batch(USER, first).events(custom("visit", first)));
            h.push(batch(USER, second).events(custom("visit", second)));
            assertThat(brief(h.watermark(second))).containsExactly(
                    add(1, CRITERIA, first), remove(1, EXPIRY, T0 + HOUR), add(1, CRITERIA, second), add(2, CRITERIA, second));
            assertThat(brief(h.watermark(T0 + 2 * HOUR - 1))).isEmpty();
            assertThat(brief(h.watermark(T0 + 2 * HOUR)))
                    .containsExactlyInAnyOrder(remove(1, EXPIRY, T0 + 2 * HOUR), remove(2, EXPIRY, T0 + 2 * HOUR));
        }
    }

    @Test
    void notPerformedAudienceIsAddedWithReasonExpiryWhenTheEventAgesOut() throws Exception {
        try (Harness h = Harness.eventTime(definitions(audience(1, "{'and': ["
                + "{'user_attribute': {'name': 'plan', 'op': 'exists'}},"
                + "{'not': {'event': {'type': 'commerce_event', 'name': 'purchase', 'within': '2h'}}}]}")))) {
            h.push(batch(USER, T0).attribute("plan", "free"));
            h.push(batch(USER, T0 + 10 * MINUTE + 5 * SECOND).events(commerce("purchase", T0 + 10 * MINUTE + 5 * SECOND, 9)));
            assertThat(brief(h.watermark(T0 + HOUR))).containsExactly(
                    add(1, CRITERIA, T0), remove(1, CRITERIA, T0 + 10 * MINUTE + 5 * SECOND));
            assertThat(brief(h.watermark(T0 + 2 * HOUR + 10 * MINUTE - 1))).isEmpty();
            assertThat(brief(h.watermark(T0 + 2 * HOUR + 10 * MINUTE))).containsExactly(
                    add(1, EXPIRY, T0 + 2 * HOUR + 10 * MINUTE));
        }
    }

    @Test
    void countBelowOneHoldsWithNoEventsAndReturnsWithExpiry() throws Exception {
        try (Harness h = Harness.eventTime(definitions(
                audience(1, "{'event': {'name': 'open', 'within': '1d', 'count': {'op': 'lt', 'value': 1}}}")))) {
            h.push(batch(USER, T0).attribute("a", 1));
            h.push(batch(USER, T0 + HOUR).events(custom("open", T0 + HOUR)));
            assertThat(brief(h.watermark(T0 + 2 * DAY))).containsExactly(
                    add(1, CRITERIA, T0), remove(1, CRITERIA, T0 + HOUR), add(1, EXPIRY, T0 + DAY + HOUR));
        }
    }

    @Test
    void nestedAudienceFollowsAnExpiryAtTheSameInstantAfterItsBase() throws Exception {
        // The nested audience has the lower id: evaluation order, not id order, puts it last.
        try (Harness h = Harness.eventTime(definitions(
                audience(5, "{'and': [{'audience': {'id': 9}}, {'user_attribute': {'name': 'plan', 'op': 'equals', 'value': 'pro'}}]}"),
                audience(9, "{'event': {'name': 'visit', 'within': '1h'}}")))) {
            h.push(batch(USER, T0 + 20 * SECOND).attribute("plan", "pro").events(custom("visit", T0 + 20 * SECOND)));
            assertThat(brief(h.watermark(T0 + 20 * SECOND))).containsExactly(
                    add(9, CRITERIA, T0 + 20 * SECOND), add(5, CRITERIA, T0 + 20 * SECOND));
            assertThat(brief(h.watermark(T0 + 3 * HOUR))).containsExactly(
                    remove(9, EXPIRY, T0 + HOUR), remove(5, EXPIRY, T0 + HOUR));
        }
    }

    @Test
    void flipsInsideOneBatchAreNotReported() throws Exception {
        // Event a alone would make the user a member; b in the same batch takes it back.
        try (Harness h = Harness.eventTime(definitions(
                audience(1, "{'and': [{'event': {'name': 'a', 'within': '1h'}}, {'not': {'event': {'name': 'b', 'within': '1h'}}}]}"),
                audience(2, "{'audience': {'id': 1}}")))) {
            h.push(batch(USER, T0).events(custom("a", T0), custom("b", T0)));
            assertThat(brief(h.watermark(T0))).isEmpty();
            // Both events leave at the same instant, so nothing flips there either.
            assertThat(brief(h.watermark(T0 + 2 * HOUR))).isEmpty();
            h.push(batch(USER, T0 + 2 * HOUR).events(custom("a", T0 + 2 * HOUR)));
            h.push(batch(USER, T0 + 2 * HOUR + MINUTE).events(custom("b", T0 + 2 * HOUR + MINUTE), custom("a", T0 + 2 * HOUR + MINUTE)));
            assertThat(brief(h.watermark(T0 + 2 * HOUR + MINUTE))).containsExactly(
                    add(1, CRITERIA, T0 + 2 * HOUR), add(2, CRITERIA, T0 + 2 * HOUR),
                    remove(1, CRITERIA, T0 + 2 * HOUR + MINUTE), remove(2, CRITERIA, T0 + 2 * HOUR + MINUTE));
        }
    }

    @Test
    void aBatchAtAnExpiryInstantIsAppliedAfterTheExpiry() throws Exception {
        try (Harness h = Harness.eventTime(definitions(audience(1, "{'event': {'name': 'visit', 'within': '1h'}}")))) {
            h.push(batch(USER, T0).events(custom("visit", T0)));
            h.push(batch(USER, T0 + HOUR).events(custom("visit", T0 + HOUR)));
            assertThat(brief(h.watermark(T0 + HOUR))).containsExactly(
                    add(1, CRITERIA, T0), remove(1, EXPIRY, T0 + HOUR), add(1, CRITERIA, T0 + HOUR));
        }
    }

    @Test
    void sameEventSeriesWithTwoWindowsExpiresEachOnItsOwnEdge() throws Exception {
        try (Harness h = Harness.eventTime(definitions(
                audience(1, "{'event': {'name': 'visit', 'within': '30m'}}"),
                audience(2, "{'event': {'name': 'VISIT', 'within': '2h'}}")))) {
            h.push(batch(USER, T0 + 5 * SECOND).events(custom("visit", T0 + 5 * SECOND)));
            assertThat(brief(h.watermark(T0 + 5 * HOUR))).containsExactly(
                    add(1, CRITERIA, T0 + 5 * SECOND), add(2, CRITERIA, T0 + 5 * SECOND),
                    remove(1, EXPIRY, T0 + 30 * MINUTE), remove(2, EXPIRY, T0 + 2 * HOUR));
        }
    }
}
