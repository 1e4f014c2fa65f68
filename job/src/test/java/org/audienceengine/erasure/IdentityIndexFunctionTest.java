package org.audienceengine.erasure;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;

import org.audienceengine.ingest.IngestedBatch;
import org.audienceengine.testutils.Harness;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The identity → mpid index that resolves erasure requests by identity. */
class IdentityIndexFunctionTest {
    private static final long LIFETIME = 90L * 24 * 3_600_000L;

    private static KeyedTwoInputStreamOperatorTestHarness<String, IdentityLink, ErasureRequest, IngestedBatch> harness()
            throws Exception {
        return harness(new IdentityIndexFunction(LIFETIME));
    }

    private static ErasureRequest request(String id, String type, String value) {
        String json = "{\"request_id\": \"" + id + "\", \"identity\": {\"type\": \"" + type + "\", \"value\": \"" + value
                + "\"}, \"received_at\": 5000}";
        return ErasureRequest.parse(json.getBytes(StandardCharsets.UTF_8), 0);
    }

    @Test
    void resolvesToTheLatestMpidThatCarriedTheIdentity() throws Exception {
        try (var h = harness()) {
            h.processElement1(new IdentityLink(IdentityKeys.of("email", "ann@example.com"), 1, 1000), 1000);
            h.processElement1(new IdentityLink(IdentityKeys.of("email", "ann@example.com"), 2, 3000), 3000);
            h.processElement1(new IdentityLink(IdentityKeys.of("email", "ann@example.com"), 3, 2000), 2000);
            // Emails match trimmed and lower-cased, as everywhere else.
            h.processElement2(request("r-1", "email", "  Ann@Example.com "), 5000);

            List<IngestedBatch> out = h.extractOutputValues();
            assertThat(out).hasSize(1);
            assertThat(out.get(0).mpid).isEqualTo(2);
            assertThat(out.get(0).erasureRequestId).isEqualTo("r-1");
            assertThat(out.get(0).isErasure()).isTrue();

            // The entry went with the user: asking again finds nobody.
            h.processElement2(request("r-2", "email", "ann@example.com"), 6000);
            assertThat(h.extractOutputValues()).hasSize(1);
            assertThat(notFound(h)).singleElement().satisfies(json -> {
                assertThat(json).contains("\"request_id\":\"r-2\"").contains("\"status\":\"not_found\"");
            });
        }
    }

    @Test
    void anIdentityNoBatchCarriedIsNotFound() throws Exception {
        try (var h = harness()) {
            h.processElement1(new IdentityLink(IdentityKeys.of("customer_id", "c-1"), 7, 1000), 1000);
            h.processElement2(request("r-3", "customer_id", "c-2"), 2000);
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(notFound(h)).singleElement().satisfies(json -> assertThat(json).contains("\"mpid\":null"));
        }
    }

    /**
     * Savepoints of earlier releases hold the index as two states, "mpid" and "time": restored
     * from one, the index resolves their entries, orders new links against their times, and
     * carries what it moved over into its next snapshot.
     */
    @Test
    void entriesOfTheEarlierLayoutAreResolvedAndMovedOver() throws Exception {
        String ann = IdentityKeys.of("email", "ann@example.com");
        String bob = IdentityKeys.of("email", "bob@example.com");
        String cyd = IdentityKeys.of("email", "cyd@example.com");
        OperatorSubtaskState earlier;
        try (var h = harness(new EarlierLayout())) {
            h.processElement1(new IdentityLink(ann, 1, 5000), 5000);
            h.processElement1(new IdentityLink(bob, 2, 5000), 5000);
            h.processElement1(new IdentityLink(cyd, 3, 5000), 5000);
            earlier = h.snapshot(1, 1);
        }

        OperatorSubtaskState moved;
        try (var h = restored(new IdentityIndexFunction(LIFETIME), earlier)) {
            // Older than the earlier entry: it stays. Newer: it wins.
            h.processElement1(new IdentityLink(ann, 10, 4000), 6000);
            h.processElement1(new IdentityLink(bob, 20, 6000), 6000);
            h.processElement2(request("r-ann", "email", "ann@example.com"), 7000);
            h.processElement2(request("r-bob", "email", "bob@example.com"), 7000);
            assertThat(h.extractOutputValues()).extracting(b -> b.mpid).containsExactly(1L, 20L);
            // Asked again, the earlier layout's entries are gone too.
            h.processElement2(request("r-ann-2", "email", "ann@example.com"), 8000);
            assertThat(notFound(h)).singleElement().satisfies(json -> assertThat(json).contains("r-ann-2"));
            moved = h.snapshot(2, 2);
        }

        // A snapshot taken after the restore still knows the earlier entries may be there.
        try (var h = restored(new IdentityIndexFunction(LIFETIME), moved)) {
            h.processElement2(request("r-cyd", "email", "cyd@example.com"), 9000);
            h.processElement2(request("r-bob-2", "email", "bob@example.com"), 9000);
            assertThat(h.extractOutputValues()).extracting(b -> b.mpid).containsExactly(3L);
            assertThat(notFound(h)).singleElement().satisfies(json -> assertThat(json).contains("r-bob-2"));
        }
    }

    private static KeyedTwoInputStreamOperatorTestHarness<String, IdentityLink, ErasureRequest, IngestedBatch> harness(
            KeyedCoProcessFunction<String, IdentityLink, ErasureRequest, IngestedBatch> function) throws Exception {
        var h = unopened(function);
        h.open();
        return h;
    }

    private static KeyedTwoInputStreamOperatorTestHarness<String, IdentityLink, ErasureRequest, IngestedBatch> restored(
            KeyedCoProcessFunction<String, IdentityLink, ErasureRequest, IngestedBatch> function,
            OperatorSubtaskState snapshot) throws Exception {
        var h = unopened(function);
        h.initializeState(snapshot);
        h.open();
        return h;
    }

    private static KeyedTwoInputStreamOperatorTestHarness<String, IdentityLink, ErasureRequest, IngestedBatch> unopened(
            KeyedCoProcessFunction<String, IdentityLink, ErasureRequest, IngestedBatch> function) throws Exception {
        var h = new KeyedTwoInputStreamOperatorTestHarness<>(new KeyedCoProcessOperator<>(function),
                IdentityLink::getIdentityKey, ErasureRequest::identityKey, Types.STRING);
        Harness.configure(h, Harness.Backend.ROCKSDB);
        return h;
    }

    /** The index as earlier releases kept it: the mpid and the time in two states. */
    private static final class EarlierLayout extends KeyedCoProcessFunction<String, IdentityLink, ErasureRequest, IngestedBatch> {
        private transient ValueState<Long> mpid;
        private transient ValueState<Long> time;

        @Override
        public void open(OpenContext context) {
            mpid = getRuntimeContext().getState(IdentityIndexFunction.legacyMpidDescriptor(LIFETIME));
            time = getRuntimeContext().getState(IdentityIndexFunction.legacyTimeDescriptor(LIFETIME));
        }

        @Override
        public void processElement1(IdentityLink link, Context ctx, Collector<IngestedBatch> out) throws Exception {
            mpid.update(link.mpid);
            time.update(link.time);
        }

        @Override
        public void processElement2(ErasureRequest request, Context ctx, Collector<IngestedBatch> out) {}
    }

    @Test
    void indexKeysHoldNoIdentityInPlainText() {
        assertThat(IdentityKeys.of("email", "ann@example.com")).doesNotContain("ann").hasSize(32);
        assertThat(IdentityKeys.of("email", " ANN@example.com")).isEqualTo(IdentityKeys.of("email", "ann@example.com"));
        assertThat(IdentityKeys.of("customer_id", "x")).isNotEqualTo(IdentityKeys.of("other", "x"));
    }

    private static List<String> notFound(
            KeyedTwoInputStreamOperatorTestHarness<String, IdentityLink, ErasureRequest, IngestedBatch> h) {
        List<String> values = new ArrayList<>();
        var records = h.getSideOutput(IdentityIndexFunction.NOT_FOUND);
        if (records != null) {
            records.forEach(r -> values.add(r.getValue()));
        }
        return values;
    }
}
