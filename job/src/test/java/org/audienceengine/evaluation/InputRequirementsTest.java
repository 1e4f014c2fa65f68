package org.audienceengine.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.audienceengine.testutils.Batches.audience;
import static org.audienceengine.testutils.Batches.definitions;

import org.audienceengine.definitions.AudienceSet;
import org.audienceengine.definitions.Definitions;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/** Which criteria need a bucket of some series or an attribute to be true, and which hold without. */
class InputRequirementsTest {
    private static final String A = "{'event': {'name': 'a', 'within': '1d'}}";
    private static final String B = "{'event': {'name': 'b', 'within': '1d'}}";
    private static final String CONSENT = "{'consent': {'purpose': 'marketing', 'consented': true}}";

    @Test
    void requirementsFollowTheShapeOfTheCriteria() throws Exception {
        AudienceSet set = Definitions.parse(definitions(
                audience(1, A),
                audience(2, "{'and': [" + CONSENT + ", " + A + "]}"),
                audience(3, "{'or': [" + A + ", " + B + "]}"),
                audience(4, "{'or': [" + A + ", " + CONSENT + "]}"),
                // Zero events hold these: no bucket is needed.
                audience(5, "{'event': {'name': 'a', 'within': '1d', 'count': {'op': 'lt', 'value': 1}}}"),
                audience(6, "{'not': " + A + "}"),
                audience(7, CONSENT),
                audience(8, "{'event': {'name': 'a', 'within': '1d', 'sum': {'attribute': 'v', 'op': 'lte', 'value': 0}}}"),
                audience(9, "{'event': {'name': 'a', 'within': '1d', 'max': {'attribute': 'v', 'op': 'lte', 'value': 0}}}"),
                audience(10, "{'and': [" + CONSENT + ", {'user_attribute': {'name': 'plan', 'op': 'equals', 'value': 'pro'}}]}"),
                audience(11, "{'user_attribute': {'name': 'plan', 'op': 'not_exists'}}"),
                audience(12, "{'or': [" + A + ", {'user_attribute': {'name': 'plan', 'op': 'exists'}}]}")));
        InputRequirements requirements = new InputRequirements(set.inEvaluationOrder());
        long a = keys(set.audience(1).criteria()).get(0);
        long b = keys(set.audience(3).criteria()).get(1);
        assertThat(b).isNotEqualTo(a);

        assertThat(met(set, requirements, a)).containsExactlyInAnyOrder(1, 2, 3, 12);
        assertThat(met(set, requirements, b)).containsExactly(3);
        assertThat(met(set, requirements, keys(set.audience(9).criteria()).get(0))).containsExactly(9);
        BitSet withPlan = new BitSet();
        requirements.fieldMet(AudienceInputs.attribute("plan"), withPlan);
        assertThat(ids(set, withPlan)).containsExactlyInAnyOrder(10, 12);

        BitSet affected = new BitSet();
        affected.set(0, set.inEvaluationOrder().size());
        BitSet withB = new BitSet();
        requirements.seriesMet(b, withB);
        requirements.dropUnmet(affected, withB);
        assertThat(ids(set, affected)).containsExactlyInAnyOrder(3, 4, 5, 6, 7, 8, 11);
    }

    private static List<Integer> met(AudienceSet set, InputRequirements requirements, long key) {
        BitSet met = new BitSet();
        requirements.seriesMet(key, met);
        return ids(set, met);
    }

    /** The series keys of the criteria's event conditions, in document order. */
    private static List<Long> keys(Condition c) {
        List<Long> out = new ArrayList<>();
        if (c instanceof Conditions.EventAggregate e) {
            out.add(e.seriesKey());
        } else if (c instanceof Conditions.All all) {
            all.parts().forEach(p -> out.addAll(keys(p)));
        } else if (c instanceof Conditions.Any any) {
            any.parts().forEach(p -> out.addAll(keys(p)));
        }
        return out;
    }

    private static List<Integer> ids(AudienceSet set, BitSet positions) {
        return positions.stream().mapToObj(i -> set.inEvaluationOrder().get(i).id()).toList();
    }
}
