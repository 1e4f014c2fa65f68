package org.audienceengine.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.audienceengine.testutils.Batches.HOUR;
import static org.audienceengine.testutils.Batches.DAY;
import static org.audienceengine.testutils.Batches.audience;
import static org.audienceengine.testutils.Batches.batch;
import static org.audienceengine.testutils.Batches.commerce;
import static org.audienceengine.testutils.Batches.definitions;

import org.audienceengine.definitions.AudienceSet;
import org.audienceengine.definitions.Definitions;
import org.audienceengine.deltas.MembershipDelta;
import org.audienceengine.ingest.Batch;
import org.audienceengine.ingest.BatchParser;
import org.audienceengine.profile.UserProfile;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Conditions over one series, window and aggregate share a slot, and so the value one evaluation
 * computes for it; each still applies its own comparison. Conditions that differ in any of the
 * three have slots of their own.
 */
class AggregateMemoTest {
    private static final long T = 1_767_225_600_000L;
    private static final String PURCHASES = "{'event': {'type': 'commerce_event', 'name': 'purchase', 'within': '%s', %s}}";

    @Test
    void sharedSlotsStillDecideByTheirOwnComparison() {
        String doc = definitions(
                audience(1, PURCHASES.formatted("7d", "'count': {'op': 'gte', 'value': 1}")),
                audience(2, PURCHASES.formatted("7d", "'count': {'op': 'gte', 'value': 3}")),
                audience(3, PURCHASES.formatted("7d", "'count': {'op': 'lt', 'value': 3}")),
                audience(4, PURCHASES.formatted("30d", "'count': {'op': 'gte', 'value': 3}")),
                audience(5, PURCHASES.formatted("7d", "'sum': {'attribute': '$total_amount', 'op': 'gte', 'value': 3}")),
                audience(6, PURCHASES.formatted("7d", "'max': {'attribute': '$total_amount', 'op': 'gte', 'value': 3}")),
                audience(7, "{'and': [" + PURCHASES.formatted("7d", "'count': {'op': 'gte', 'value': 2}") + ", {'not': "
                        + PURCHASES.formatted("7d", "'sum': {'attribute': '$total_amount', 'op': 'gte', 'value': 5}") + "}]}"));
        AudienceSet set = Definitions.parseValid(doc);
        // 7d counts; 30d count; 7d sum; 7d max: four slots for nine conditions.
        assertThat(set.aggregateSlots()).isEqualTo(4);

        ProfileEvaluator ev = new ProfileEvaluator(set, 90 * DAY, false);
        UserProfile p = ProfileEvaluator.newProfile(T);
        Batch first = parse(batch(42, T).events(commerce("purchase", T - 20 * DAY, 2), commerce("purchase", T - HOUR, 1),
                commerce("purchase", T, 1)).json());
        assertThat(added(ev.applyBatch(42, p, first, T))).containsExactlyInAnyOrder(1, 3, 4, 7);
        // Within 7 days: 2 purchases worth 2 (the one 20 days ago counts for 30 days only).
        assertThat(memberships(ev, p, T)).containsExactlyInAnyOrderEntriesOf(
                Map.of(1, true, 2, false, 3, true, 4, true, 5, false, 6, false, 7, true));

        Batch second = parse(batch(42, T + 1).events(commerce("purchase", T + 1, 4)).json());
        ev.applyBatch(42, p, second, T + 1);
        // Three within 7 days, worth 6, the largest 4.
        assertThat(memberships(ev, p, T + 1)).containsExactlyInAnyOrderEntriesOf(
                Map.of(1, true, 2, true, 3, false, 4, true, 5, true, 6, true, 7, false));
    }

    private static Batch parse(String json) {
        return BatchParser.parse(json.getBytes(StandardCharsets.UTF_8), null).batch();
    }

    private static List<Integer> added(List<MembershipDelta> deltas) {
        return deltas.stream().filter(d -> d.action.equals(MembershipDelta.ADD)).map(d -> d.audienceId).toList();
    }

    private static Map<Integer, Boolean> memberships(ProfileEvaluator ev, UserProfile p, long at) {
        boolean[] members = ev.memberships(p, at);
        List<org.audienceengine.definitions.Audience> order = ev.audiences().inEvaluationOrder();
        return java.util.stream.IntStream.range(0, order.size()).boxed()
                .collect(Collectors.toMap(i -> order.get(i).id(), i -> members[i]));
    }
}
