package org.audienceengine.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.audienceengine.testutils.Batches.audience;
import static org.audienceengine.testutils.Batches.definitions;

import org.apache.flink.util.InstantiationUtil;
import org.audienceengine.definitions.AudienceSet;
import org.audienceengine.definitions.Definitions;
import org.junit.jupiter.api.Test;

import java.util.BitSet;
import java.util.List;

/** An edge of one first-seen window reaches the audiences over that window, and those nested on them. */
class AudienceInputsTest {
    @Test
    void firstSeenEdgesMarkOnlyTheirWindowsReaders() throws Exception {
        AudienceSet set = Definitions.parse(definitions(
                audience(1, "{'first_seen': {'within': '1h'}}"),
                audience(2, "{'and': [{'first_seen': {'within': '7d'}}, {'event': {'name': 'a', 'within': '1d'}}]}"),
                // 60m has the buckets of 1h: the same edges, one window.
                audience(3, "{'first_seen': {'within': '60m'}}"),
                audience(4, "{'audience': {'id': 2}}"),
                audience(5, "{'event': {'name': 'a', 'within': '1h'}}")));
        assertThat(set.firstSeenWindows()).containsExactly(Window.of(Window.HOUR), Window.of(7 * Window.DAY));

        assertThat(marked(set, Window.of(Window.HOUR))).containsExactlyInAnyOrder(1, 3);
        assertThat(marked(set, Window.of(7 * Window.DAY))).containsExactlyInAnyOrder(2, 4);
        assertThat(marked(set, Window.of(Window.DAY))).isEmpty();

        BitSet all = new BitSet();
        set.inputs().fieldChanged(AudienceInputs.FIRST_SEEN, all);
        assertThat(ids(set, all)).containsExactlyInAnyOrder(1, 2, 3);
    }

    @Test
    void aSetShippedToTheTaskManagersIndexesItsInputsAgain() throws Exception {
        AudienceSet set = Definitions.parse(definitions(
                audience(1, "{'and': [{'first_seen': {'within': '1h'}}, {'event': {'name': 'a', 'within': '1d'}}]}")));
        AudienceSet shipped = InstantiationUtil.clone(set);
        assertThat(marked(shipped, Window.of(Window.HOUR))).containsExactly(1);
        long series = ((Conditions.EventAggregate) ((Conditions.All) shipped.audience(1).criteria()).parts().get(1)).seriesKey();
        BitSet affected = new BitSet();
        shipped.inputs().windowChanged(series, Window.of(Window.DAY).buckets(), affected);
        assertThat(ids(shipped, affected)).containsExactly(1);
    }

    private static List<Integer> marked(AudienceSet set, Window w) {
        BitSet affected = new BitSet();
        set.inputs().firstSeenWindowChanged(w, affected);
        set.inputs().addDependants(affected);
        return ids(set, affected);
    }

    private static List<Integer> ids(AudienceSet set, BitSet positions) {
        return positions.stream().mapToObj(i -> set.inEvaluationOrder().get(i).id()).toList();
    }
}
