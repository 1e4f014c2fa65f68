package org.audienceengine.profile;

import static org.assertj.core.api.Assertions.assertThat;
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
import static org.audienceengine.testutils.Deltas.brief;
import static org.audienceengine.testutils.Deltas.remove;

import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;

import org.audienceengine.config.EngineSettings;
import org.audienceengine.config.TimeMode;
import org.audienceengine.deltas.DeltaJson;
import org.audienceengine.deltas.MembershipDelta;
import org.audienceengine.testutils.Batches.BatchBuilder;
import org.audienceengine.testutils.Harness;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

/**
 * A snapshot taken mid-stream (with expiry timers armed and batches buffered) and restored into a
 * new operator instance continues exactly as an uninterrupted run: same deltas, same order, no
 * seq skipped or repeated.
 */
class UserAudiencesRestoreTest {
    private static final long ANN = 1;
    private static final long BOB = 2;
    private static final long CAT = 3;
    private static final EngineSettings SETTINGS = Harness.settings(definitions(
                    audience(1, "{'event': {'name': 'visit', 'within': '30m'}}"),
                    audience(2, "{'and': [{'user_attribute': {'name': 'plan', 'op': 'exists'}},"
                            + " {'not': {'event': {'type': 'commerce_event', 'name': 'purchase', 'within': '2h'}}}]}"),
                    audience(3, "{'and': [{'audience': {'id': 1}},"
                            + " {'user_attribute': {'name': 'plan', 'op': 'equals', 'value': 'pro'}}]}"),
                    audience(4, "{'event': {'type': 'commerce_event', 'within': '7d',"
                            + " 'sum': {'attribute': '$total_amount', 'op': 'gte', 'value': 100}}}")))
            .profileLifetimeMs(2 * DAY)
            .build();

    /** One input step: a batch or a watermark. */
    private interface Step {
        void run(Harness h) throws Exception;
    }

    private static Step push(BatchBuilder b) {
        return h -> h.push(b);
    }

    private static Step watermark(long t) {
        return h -> h.watermark(t);
    }

    private static List<Step> script() {
        return List.of(
                push(batch(ANN, T0).attribute("plan", "pro").events(custom("visit", T0))),
                push(batch(BOB, T0 + 307 * SECOND).attribute("plan", "free").events(custom("visit", T0 + 307 * SECOND))),
                push(batch(ANN, T0 + 20 * MINUTE).events(commerce("purchase", T0 + 20 * MINUTE, 60))),
                watermark(T0 + 10 * MINUTE),
                push(batch(BOB, T0 + 50 * MINUTE).events(commerce("purchase", T0 + 50 * MINUTE, 50))),
                push(batch(ANN, T0 + 15 * MINUTE).events(custom("visit", T0 + 15 * MINUTE))),
                push(batch(CAT, T0 + 3 * HOUR).identity("email", "cat@example.com").attribute("plan", "pro")),
                watermark(T0 + 40 * MINUTE),
                push(batch(BOB, T0 + 90 * MINUTE).events(commerce("purchase", T0 + 90 * MINUTE, 55), custom("visit", T0 + 90 * MINUTE))),
                push(batch(ANN, T0 + 2 * HOUR).identity("email", "ann@example.com")),
                watermark(T0 + 3 * HOUR),
                push(batch(ANN, T0 + 3 * HOUR + 30 * MINUTE).events(commerce("purchase", T0 + 3 * HOUR + 30 * MINUTE, 70))),
                push(batch(CAT, T0 + DAY).identity("email", "cat@example.org")),
                watermark(T0 + 8 * DAY),
                push(batch(BOB, T0 + 9 * DAY).attribute("plan", "pro").events(custom("visit", T0 + 9 * DAY))),
                watermark(Long.MAX_VALUE));
    }

    private static List<String> uninterrupted() throws Exception {
        try (Harness h = Harness.open(SETTINGS)) {
            for (Step step : script()) {
                step.run(h);
            }
            return json(h.allDeltas());
        }
    }

    @Test
    void restoringAtAnyStepGivesTheUninterruptedDeltas() throws Exception {
        List<String> expected = uninterrupted();
        assertThat(expected).hasSizeGreaterThan(15);
        assertThat(expected).anyMatch(line -> line.contains("\"reason\":\"" + EXPIRY + "\""));
        List<Step> script = script();
        for (int cut = 1; cut < script.size(); cut++) {
            List<String> actual = new ArrayList<>();
            OperatorSubtaskState snapshot;
            try (Harness first = Harness.open(SETTINGS)) {
                for (Step step : script.subList(0, cut)) {
                    step.run(first);
                }
                snapshot = first.snapshot(cut, T0 + cut);
                actual.addAll(json(first.allDeltas()));
            }
            try (Harness second = Harness.restore(SETTINGS, snapshot)) {
                for (Step step : script.subList(cut, script.size())) {
                    step.run(second);
                }
                actual.addAll(json(second.allDeltas()));
            }
            assertThat(inDeltaOrder(actual)).as("restored after step %d", cut).isEqualTo(inDeltaOrder(expected));
        }
    }

    @Test
    void aChainOfRestoresAfterEveryStepGivesTheUninterruptedDeltas() throws Exception {
        List<String> expected = uninterrupted();
        List<String> actual = new ArrayList<>();
        OperatorSubtaskState snapshot = null;
        long checkpoint = 0;
        for (Step step : script()) {
            try (Harness h = snapshot == null ? Harness.open(SETTINGS) : Harness.restore(SETTINGS, snapshot)) {
                step.run(h);
                checkpoint++;
                snapshot = h.snapshot(checkpoint, T0 + checkpoint);
                actual.addAll(json(h.allDeltas()));
            }
        }
        assertThat(inDeltaOrder(actual)).isEqualTo(inDeltaOrder(expected));
    }

    @Test
    void snapshotHoldsBufferedBatchesAndArmedTimers() throws Exception {
        List<Step> script = script();
        OperatorSubtaskState snapshot;
        try (Harness first = Harness.open(SETTINGS)) {
            for (Step step : script.subList(0, 7)) {
                step.run(first);
            }
            snapshot = first.snapshot(1, T0);
        }
        try (Harness second = Harness.restore(SETTINGS, snapshot)) {
            // Cat has only a buffered batch; Ann and Bob have profiles, timers and buffered batches.
            assertThat(second.usersWithState()).containsExactly(ANN, BOB, CAT);
            assertThat(second.eventTimers()).isEqualTo(6);
            assertThat(second.newDeltas()).isEmpty();
            // Ann's visits (0m and 15m) leave at 30m and 45m; Bob's (5m07s) at 35m.
            assertThat(brief(second.watermark(T0 + 35 * MINUTE))).contains(remove(1, EXPIRY, T0 + 35 * MINUTE));
        }
    }

    @Test
    void processingTimeTimersSurviveARestore() throws Exception {
        EngineSettings live = EngineSettings.builder(definitions(audience(1, "{'event': {'name': 'visit', 'within': '1h'}}")))
                .timeMode(TimeMode.PROCESSING)
                .build();
        OperatorSubtaskState snapshot;
        try (Harness first = Harness.open(live)) {
            first.processingTime(T0 + 10 * SECOND);
            assertThat(first.push(batch(ANN, T0 + 10 * SECOND).events(custom("visit", T0 + 10 * SECOND)))).hasSize(1);
            snapshot = first.snapshot(1, T0 + 10 * SECOND);
        }
        try (Harness second = Harness.restore(live, snapshot)) {
            second.processingTime(T0 + HOUR - 1);
            assertThat(second.newDeltas()).isEmpty();
            List<MembershipDelta> removed = second.processingTime(T0 + HOUR);
            assertThat(brief(removed)).containsExactly(remove(1, EXPIRY, T0 + HOUR));
            assertThat(removed.get(0).seq).isEqualTo(2);
            assertThat(removed.get(0).profileCreatedAt).isEqualTo(T0 + 10 * SECOND);
        }
    }

    /**
     * Deltas of different users due at the same instant may come in either order (timers of
     * different keys have no order among themselves); per user and audience the order is fixed.
     * This sorts by (effective_at, mpid, audience, seq), which keeps every per-user order.
     */
    private static List<String> inDeltaOrder(List<String> lines) {
        return lines.stream()
                .map(DeltaJson::fromJson)
                .sorted(java.util.Comparator.<MembershipDelta>comparingLong(d -> d.effectiveAt)
                        .thenComparingLong(d -> d.mpid)
                        .thenComparingInt(d -> d.audienceId)
                        .thenComparingInt(d -> d.seq))
                .map(DeltaJson::toJson)
                .toList();
    }

    private static List<String> json(List<MembershipDelta> deltas) {
        return deltas.stream().map(DeltaJson::toJson).toList();
    }
}
