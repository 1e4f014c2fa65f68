package org.audienceengine.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

import org.audienceengine.definitions.Definitions;
import org.audienceengine.deltas.DeltaJson;
import org.audienceengine.deltas.MembershipDelta;
import org.audienceengine.deltas.Reason;
import org.audienceengine.evaluation.Scenarios.Scenario;
import org.audienceengine.ingest.Batch;
import org.audienceengine.ingest.BatchParser;
import org.audienceengine.profile.ProfileCodec;
import org.audienceengine.profile.UserProfile;
import org.audienceengine.reference.RefJson;
import org.audienceengine.reference.RefModel;
import org.audienceengine.reference.ReferenceEvaluator;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Catching up in one pass ({@link ProfileEvaluator#catchUp}) gives what firing the chain of
 * timers one at a time gives ({@code evaluateAt}, then {@code nextInstant(…, true)}): the same
 * deltas, byte for byte, and the same profile afterwards, on random definitions and users; and
 * so does each timer fired with one walk ({@link ProfileEvaluator#fire}). After a batch, the
 * next instant found from the catch-up's walk, or from a timer armed at the next edge, and the
 * touched series is the full walk's.
 */
class CatchUpProperties {
    private static final long NO_TIMER = Long.MIN_VALUE;

    @Provide
    Arbitrary<Scenario> scenarios() {
        return Arbitraries.oneOf(Arbitraries.randomValue(Scenarios::generate), Arbitraries.randomValue(Scenarios::aggregates));
    }

    @Property(tries = 300)
    void equalsFiringEachTimer(@ForAll("scenarios") Scenario s) {
        ProfileEvaluator ev = new ProfileEvaluator(Definitions.parseValid(s.definitionsJson()), s.lifetimeMs(), false);
        Map<Long, List<RefModel.Batch>> byUser = new TreeMap<>();
        for (var b : s.batches()) {
            byUser.computeIfAbsent(b.mpid(), k -> new ArrayList<>()).add(b);
        }
        int withDeltas = 0;
        for (var e : byUser.entrySet()) {
            long mpid = e.getKey();
            List<RefModel.Batch> batches = e.getValue();
            batches.sort(Comparator.comparingLong(ReferenceEvaluator::batchTime)
                    .thenComparingLong(RefModel.Batch::order));
            UserProfile p = null;
            for (var b : batches) {
                long at = ReferenceEvaluator.batchTime(b);
                if (p != null) {
                    Outcome one = catchUp(ev, mpid, p, at);
                    withDeltas += one.deltas.isEmpty() ? 0 : 1;
                    p = one.profile;
                }
                Batch batch = BatchParser.parse(RefJson.batch(b), null).batch();
                if (p == null) {
                    p = ProfileEvaluator.newProfile(at);
                }
                ev.applyBatch(mpid, p, batch, at);
                long next = ev.nextInstant(p, at, false);
                // Where an earlier walk is reused (the catch-up's, or the timer's), the next instant is the full walk's.
                boolean reused = p.edgeKnown(at, ev.audiences());
                Statistics.label("next instant from an earlier walk").collect(reused);
                assertThat(next).isEqualTo(ev.nextInstant(ProfileCodec.decode(ProfileCodec.encode(p)), at, false));
                p.timerAt = next == Long.MAX_VALUE ? NO_TIMER : next;
                // The timer armed at the next edge says so through the codec, for the next batch.
                UserProfile stored = ProfileCodec.decode(ProfileCodec.encode(p));
                assertThat(stored.exactTimerAt == stored.timerAt).isEqualTo(p.exactTimerAt == p.timerAt && next != NO_TIMER);
                p = stored;
            }
            if (p != null) {
                withDeltas += catchUp(ev, mpid, p, p.lastBatchAt + s.lifetimeMs() + 1).deltas.isEmpty() ? 0 : 1;
            }
        }
        Statistics.label("catch-ups with deltas").collect(withDeltas > 0);
        Statistics.label("catch-ups with deltas").coverage(c -> c.check(true).percentage(pct -> pct > 20));
        Statistics.label("next instant from an earlier walk").coverage(c -> c.check(true).percentage(pct -> pct > 5));
    }

    private record Outcome(UserProfile profile, List<String> deltas) {}

    /** Both ways on copies of the profile; asserts they agree and returns the outcome. */
    private static Outcome catchUp(ProfileEvaluator ev, long mpid, UserProfile p, long now) {
        if (p.timerAt == NO_TIMER || p.timerAt > now) {
            return new Outcome(p, List.of());
        }
        UserProfile chained = ProfileCodec.decode(ProfileCodec.encode(p));
        List<MembershipDelta> expected = new ArrayList<>();
        while (chained != null && chained.timerAt != NO_TIMER && chained.timerAt <= now) {
            long at = chained.timerAt;
            if (at >= ev.expiresAt(chained)) {
                expected.addAll(ev.removeAll(mpid, chained, ev.expiresAt(chained), Reason.PROFILE_EXPIRED));
                chained = null;
            } else {
                UserProfile fired = ProfileCodec.decode(ProfileCodec.encode(chained));
                List<MembershipDelta> firedDeltas = new ArrayList<>();
                long firedNext = ev.fire(mpid, fired, at, firedDeltas);
                List<MembershipDelta> step = ev.evaluateAt(mpid, chained, at);
                expected.addAll(step);
                long next = ev.nextInstant(chained, at, true);
                chained.timerAt = next == Long.MAX_VALUE ? NO_TIMER : next;
                // One timer fired in one walk: as evaluateAt, then nextInstant.
                assertThat(json(firedDeltas)).isEqualTo(json(step));
                assertThat(firedNext).isEqualTo(next);
                fired.timerAt = chained.timerAt;
                assertThat(ProfileCodec.encode(fired)).isEqualTo(ProfileCodec.encode(chained));
            }
        }

        UserProfile once = ProfileCodec.decode(ProfileCodec.encode(p));
        List<MembershipDelta> actual = new ArrayList<>();
        long next = ev.catchUp(mpid, once, once.timerAt, now, actual);
        if (next <= now) {
            actual.addAll(ev.removeAll(mpid, once, ev.expiresAt(once), Reason.PROFILE_EXPIRED));
            once = null;
        }

        assertThat(json(actual)).isEqualTo(json(expected));
        assertThat(once == null).isEqualTo(chained == null);
        if (once != null) {
            once.timerAt = NO_TIMER;
            chained.timerAt = NO_TIMER;
            assertThat(ProfileCodec.encode(once)).isEqualTo(ProfileCodec.encode(chained));
        }
        return new Outcome(once, json(actual));
    }

    private static List<String> json(List<MembershipDelta> deltas) {
        return deltas.stream().map(DeltaJson::toJson).toList();
    }
}
