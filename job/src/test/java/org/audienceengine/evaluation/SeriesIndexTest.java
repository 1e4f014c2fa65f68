package org.audienceengine.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.audienceengine.testutils.Batches.audience;
import static org.audienceengine.testutils.Batches.definitions;

import org.audienceengine.definitions.AudienceSet;
import org.audienceengine.definitions.Definitions;
import org.audienceengine.ingest.Event;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

/** The candidates of an event, looked up again or past the cache's bound, are those found anew. */
class SeriesIndexTest {
    private static final AudienceSet SET = set();

    private static AudienceSet set() {
        try {
            return Definitions.parse(definitions(
                    audience(1, "{'event': {'type': 'custom_event', 'name': 'Purchase', 'within': '7d'}}"),
                    audience(2, "{'event': {'type': 'custom_event', 'within': '1d'}}"),
                    audience(3, "{'event': {'name': 'purchase', 'within': '30d'}}"),
                    audience(4, "{'event': {'within': '1h'}}"),
                    audience(5, "{'event': {'type': 'screen_view', 'name': 'home', 'within': '7d'}}")));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Event event(String type, String name) {
        return new Event(type, name, null, 0, Map.of(), false, 0, 0, null);
    }

    @Test
    void repeatedAndUncachedLookupsAgree() {
        SeriesIndex index = new SeriesIndex(SET.series());
        String[][] events = {{"custom_event", "Purchase"}, {"custom_event", "PURCHASE"}, {"custom_event", null},
            {"screen_view", "home"}, {"screen_view", "Home"}, {"screen_view", "purchase"}, {"commerce_event", null}};
        for (String[] e : events) {
            SeriesIndex fresh = new SeriesIndex(SET.series());
            List<EventSeries> first = index.candidates(event(e[0], e[1]));
            assertThat(index.candidates(event(e[0], e[1]))).as("again: %s/%s", e[0], e[1]).isEqualTo(first);
            assertThat(fresh.candidates(event(e[0], e[1]))).isEqualTo(first);
        }
        // "Purchase" in any case reaches the type-and-name series, the name-only one, the type-only one and the any.
        assertThat(index.candidates(event("custom_event", "pUrChAsE"))).hasSize(4);
        assertThat(index.candidates(event("custom_event", null))).hasSize(2);
        assertThat(index.candidates(event("screen_view", "purchase"))).hasSize(2);
        assertThat(index.candidates(event("screen_view", "HOME"))).hasSize(2);
    }

    @Test
    void namesPastTheBoundAreFoundWithoutBeingKept() {
        SeriesIndex index = new SeriesIndex(SET.series());
        for (int i = 0; i < SeriesIndex.CACHED + 10; i++) {
            assertThat(index.candidates(event("custom_event", "n" + i))).hasSize(2);
        }
        assertThat(index.candidates(event("custom_event", "Purchase"))).hasSize(4);
        assertThat(index.candidates(event("screen_view", "home"))).hasSize(2);
    }
}
