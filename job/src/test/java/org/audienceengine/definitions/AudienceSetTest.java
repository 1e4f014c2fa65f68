package org.audienceengine.definitions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.audienceengine.testutils.Batches.audience;
import static org.audienceengine.testutils.Batches.definitions;

import org.junit.jupiter.api.Test;

/** An audience's evaluation position by id, with ids small enough for an array and with ids that are not. */
class AudienceSetTest {
    private static final String NESTED = "{'and': [{'audience': {'id': %d}}, {'user_attribute': {'name': 'a', 'op': 'exists'}}]}";
    private static final String PLAIN = "{'user_attribute': {'name': 'plan', 'op': 'exists'}}";

    @Test
    void positionsFollowEvaluationOrderWhateverTheIds() {
        for (int big : new int[] {9, 2_000_000_000}) {
            AudienceSet set = Definitions.parseValid(definitions(
                    audience(7, NESTED.formatted(big)), audience(big, PLAIN), audience(3, PLAIN)));
            // Non-nested audiences first, each group by id.
            assertThat(set.position(3)).as("ids up to %d", big).isEqualTo(0);
            assertThat(set.position(big)).isEqualTo(1);
            assertThat(set.position(7)).isEqualTo(2);
            assertThat(set.position(4)).isEqualTo(-1);
            assertThat(set.position(big + 1)).isEqualTo(-1);
            assertThat(set.position(-1)).isEqualTo(-1);
        }
    }
}
