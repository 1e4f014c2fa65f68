package org.audienceengine.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.audienceengine.testutils.Batches.HOUR;
import static org.audienceengine.testutils.Batches.T0;
import static org.audienceengine.testutils.Batches.audience;
import static org.audienceengine.testutils.Batches.batch;
import static org.audienceengine.testutils.Batches.custom;
import static org.audienceengine.testutils.Batches.definitions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.audienceengine.config.TimeMode;
import org.audienceengine.deltas.DeltaJson;
import org.audienceengine.deltas.MembershipDelta;
import org.audienceengine.ingest.IngestedBatch;
import org.audienceengine.testutils.Harness;
import org.junit.jupiter.api.Test;

import java.util.List;

/** deltas.md "Erasure requests", at the keyed operator. */
class UserAudiencesErasureTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final long ANN = 1;
    private static final String DOC = definitions(
            audience(1, "{'identity': {'type': 'email', 'op': 'exists'}}"),
            audience(2, "{'event': {'name': 'visit', 'within': '7d'}}"),
            audience(3, "{'user_attribute': {'name': 'plan', 'op': 'exists'}}"));

    @Test
    void erasureRemovesFromEveryAudienceAndForgetsTheUser() throws Exception {
        try (Harness h = Harness.open(Harness.settings(DOC).timeMode(TimeMode.PROCESSING).build())) {
            h.processingTime(T0);
            h.push(batch(ANN, T0).identity("email", "ann@example.com").events(custom("visit", T0)));
            h.processingTime(T0 + HOUR);
            List<MembershipDelta> removes = h.push(IngestedBatch.erasure(ANN, "r-1", T0 + HOUR, Long.MAX_VALUE));

            assertThat(removes).extracting(d -> d.audienceId + ":" + d.action + ":" + d.reason + ":" + d.seq)
                    .containsExactly("1:remove:erasure:2", "2:remove:erasure:2");
            for (MembershipDelta d : removes) {
                JsonNode json = MAPPER.readTree(DeltaJson.toJson(d));
                assertThat(json.has("user_attributes")).isFalse();
                assertThat(json.path("identities").path("email").asText()).isEqualTo("ann@example.com");
            }
            assertThat(h.usersWithState()).isEmpty();
            assertThat(h.processingTimers()).isZero();
            JsonNode completion = MAPPER.readTree(h.sideOutput(UserAudiencesOperator.ERASURE_COMPLETIONS).get(0));
            assertThat(completion.get("request_id").asText()).isEqualTo("r-1");
            assertThat(completion.get("mpid").asLong()).isEqualTo(ANN);
            assertThat(completion.get("status").asText()).isEqualTo("completed");
            assertThat(completion.get("audiences_removed").asInt()).isEqualTo(2);

            // Nothing of the user comes out afterwards: the visit's expiry is gone with them.
            assertThat(h.processingTime(T0 + 30 * 24 * HOUR)).isEmpty();
        }
    }

    @Test
    void erasureOfAnUnknownUserIsNotFound() throws Exception {
        try (Harness h = Harness.open(Harness.settings(DOC).timeMode(TimeMode.PROCESSING).build())) {
            assertThat(h.push(IngestedBatch.erasure(42, "r-2", T0, Long.MAX_VALUE))).isEmpty();
            JsonNode completion = MAPPER.readTree(h.sideOutput(UserAudiencesOperator.ERASURE_COMPLETIONS).get(0));
            assertThat(completion.get("status").asText()).isEqualTo("not_found");
        }
    }

    @Test
    void inEventTimeAnErasureAppliesAfterTheBatchesOfItsInstant() throws Exception {
        try (Harness h = Harness.eventTime(DOC)) {
            h.push(batch(ANN, T0).attribute("plan", "pro").identity("email", "ann@example.com"));
            h.push(IngestedBatch.erasure(ANN, "r-3", T0 + HOUR, Long.MAX_VALUE));
            h.push(batch(ANN, T0 + HOUR).events(custom("visit", T0 + HOUR)));
            h.push(batch(ANN, T0 + 2 * HOUR).attribute("plan", "pro"));
            List<MembershipDelta> deltas = h.watermark(T0 + 3 * HOUR);
            assertThat(deltas).extracting(d -> d.audienceId + ":" + d.action + ":" + d.reason + ":" + d.effectiveAt)
                    .containsExactly(
                            "1:add:criteria:" + T0,
                            "3:add:criteria:" + T0,
                            "2:add:criteria:" + (T0 + HOUR),
                            "1:remove:erasure:" + (T0 + HOUR),
                            "2:remove:erasure:" + (T0 + HOUR),
                            "3:remove:erasure:" + (T0 + HOUR),
                            // A batch after the erasure starts a new profile.
                            "3:add:criteria:" + (T0 + 2 * HOUR));
            assertThat(deltas.get(6).profileCreatedAt).isEqualTo(T0 + 2 * HOUR);
        }
    }
}
