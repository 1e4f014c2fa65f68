package org.audienceengine.erasure;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

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
        var h = new KeyedTwoInputStreamOperatorTestHarness<>(
                new KeyedCoProcessOperator<>(new IdentityIndexFunction(LIFETIME)),
                IdentityLink::getIdentityKey, ErasureRequest::identityKey, Types.STRING);
        Harness.configure(h, Harness.Backend.ROCKSDB);
        h.open();
        return h;
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
