package org.audienceengine.connectors.partnersim;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.StringJoiner;

import static org.assertj.core.api.Assertions.assertThat;

class WebhookSimulatorTest {

    private static final String SECRET = "hook-secret";
    private PartnerSimulator sim;
    private SimHttp http;

    @BeforeEach
    void start() {
        sim = PartnerSimulator.start(PartnerSimulator.Config.defaults()
                .webhookSecret("hook", SECRET)
                .webhookSecret("other", "other-secret"));
        http = new SimHttp(sim);
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    /** One profile per action: {mpid, audienceId, "add"|"delete", seq}. */
    private static String batch(String id, long[]... actions) {
        StringJoiner profiles = new StringJoiner(",", "[", "]");
        for (long[] a : actions) {
            String action = a[2] == 1 ? "add" : "delete";
            profiles.add("{\"mpid\":" + a[0] + ",\"user_identities\":[{\"type\":\"email\",\"value\":\"u" + a[0]
                    + "@x.com\"}],\"audiences\":[{\"audience_id\":" + a[1] + ",\"audience_name\":\"A" + a[1]
                    + "\",\"action\":\"" + action + "\",\"delta_id\":\"" + a[1] + ":" + a[0] + ":1000:" + a[3] + "\"}]}");
        }
        return "{\"id\":\"" + id + "\",\"timestamp_ms\":1767225600000,\"user_profiles\":" + profiles + "}";
    }

    private static long[] add(long mpid, long audience, long seq) {
        return new long[] {mpid, audience, 1, seq};
    }

    private static long[] delete(long mpid, long audience, long seq) {
        return new long[] {mpid, audience, 0, seq};
    }

    @Test
    void badOrMissingSignatureIs401AndUnknownWebhookIs404() {
        String body = batch("b1", add(1, 101, 1));
        HttpResponse<String> wrongSecret = http.send(http.webhook("hook", "not-the-secret", body, "k1"));
        HttpResponse<String> otherHooksSecret = http.send(http.webhook("hook", "other-secret", body, "k1"));
        HttpResponse<String> unsigned = http.send(http.request("/webhook/hook")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        // Signed over different bytes than those sent.
        HttpResponse<String> tampered = http.send(http.request("/webhook/hook")
                .header("X-Signature", WebhookApi.signature(SECRET, body.getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString(body + " ")).build());

        assertThat(List.of(wrongSecret.statusCode(), otherHooksSecret.statusCode(), unsigned.statusCode(),
                tampered.statusCode())).containsOnly(401);
        assertThat(http.send(http.webhook("nobody", SECRET, body, null)).statusCode()).isEqualTo(404);
        assertThat(sim.state().webhookMembers("hook", 101)).isEmpty();
        assertThat(sim.state().responses("webhook", 401)).isEqualTo(4);
        assertThat(sim.state().requests("webhook_not_found")).isEqualTo(1);
    }

    @Test
    void signedDeliveriesApplyTheLatestActionPerAudienceAndMpid() {
        HttpResponse<String> first = http.send(http.webhook("hook", SECRET,
                batch("b1", add(1, 101, 1), add(2, 101, 1), add(1, 102, 1)), "k1"));
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(SimHttp.json(first).path("status").asText()).isEqualTo("applied");
        assertThat(http.send(http.webhook("hook", SECRET, batch("b2", delete(1, 101, 2)), "k2")).statusCode())
                .isEqualTo(200);
        // Upper-case hex in the signature is accepted too.
        String body = batch("b3", add(3, 101, 1));
        String sig = WebhookApi.signature(SECRET, body.getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> upper = http.send(http.request("/webhook/other")
                .header("X-Signature", "sha256=" + sig.substring(7).toUpperCase())
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertThat(upper.statusCode()).isEqualTo(401); // signed with hook's secret, sent to "other"
        assertThat(http.send(http.request("/webhook/hook")
                .header("X-Signature", "sha256=" + sig.substring(7).toUpperCase())
                .POST(HttpRequest.BodyPublishers.ofString(body)).build()).statusCode()).isEqualTo(200);

        SimulatorState state = sim.state();
        assertThat(state.webhookMembers("hook", 101)).containsExactly(2L, 3L);
        assertThat(state.webhookMembers("hook", 102)).containsExactly(1L);
        assertThat(state.webhookMembers("other", 101)).isEmpty();
        assertThat(state.json().at("/webhooks/hook/audiences/101/memberships/1/member").asBoolean(true)).isFalse();
        assertThat(state.json().at("/webhooks/hook/audiences/101/memberships/1/delta_id").asText()).isEqualTo("101:1:1000:2");
        assertThat(state.webhookCount("hook", "applied")).isEqualTo(3);
        assertThat(state.webhookCount("hook", "out_of_order")).isZero();
    }

    @Test
    void aRepeatedIdempotencyKeyIsAcknowledgedButNotAppliedAgain() {
        String addBatch = batch("b1", add(5, 101, 1));
        assertThat(http.send(http.webhook("hook", SECRET, addBatch, "key-1")).statusCode()).isEqualTo(200);
        assertThat(http.send(http.webhook("hook", SECRET, batch("b2", delete(5, 101, 2)), "key-2")).statusCode())
                .isEqualTo(200);
        // A late retry of the first batch must not bring the user back.
        HttpResponse<String> retry = http.send(http.webhook("hook", SECRET, addBatch, "key-1"));
        assertThat(retry.statusCode()).isEqualTo(200);
        assertThat(SimHttp.json(retry).path("status").asText()).isEqualTo("duplicate");
        // The same key on another webhook is a different delivery.
        assertThat(http.send(http.webhook("other", "other-secret", addBatch, "key-1")).statusCode()).isEqualTo(200);

        SimulatorState state = sim.state();
        assertThat(state.webhookMembers("hook", 101)).isEmpty();
        assertThat(state.webhookMembers("other", 101)).containsExactly(5L);
        assertThat(state.duplicates()).isEqualTo(1);
        assertThat(state.webhookCount("hook", "deliveries")).isEqualTo(3);
        assertThat(state.webhookCount("hook", "applied")).isEqualTo(2);
        assertThat(state.webhookCount("hook", "duplicates")).isEqualTo(1);
        assertThat(state.json().at("/counters/duplicates_by_webhook/hook").asLong()).isEqualTo(1);
    }

    @Test
    void countsAStaleActionArrivingAfterANewerOne() {
        http.send(http.webhook("hook", SECRET, batch("b2", delete(9, 101, 2)), "k2"));
        http.send(http.webhook("hook", SECRET, batch("b1", add(9, 101, 1)), "k1"));
        assertThat(sim.state().webhookCount("hook", "out_of_order")).isEqualTo(1);
        // Applied as a real receiver would: the state shows the damage.
        assertThat(sim.state().webhookMembers("hook", 101)).containsExactly(9L);
    }

    @Test
    void rejectsBodiesOfTheWrongShapeWithoutApplyingAnything() {
        for (String body : List.of(
                "{\"timestamp_ms\":1,\"user_profiles\":[]}",
                "{\"id\":\"x\",\"user_profiles\":[]}",
                "{\"id\":\"x\",\"timestamp_ms\":1}",
                "{\"id\":\"x\",\"timestamp_ms\":1,\"user_profiles\":[{\"mpid\":\"abc\",\"audiences\":[]}]}",
                "{\"id\":\"x\",\"timestamp_ms\":1,\"user_profiles\":[{\"mpid\":1,\"audiences\":"
                        + "[{\"audience_id\":101,\"action\":\"add\"},{\"audience_id\":102,\"action\":\"remove\"}]}]}",
                "not json")) {
            assertThat(http.send(http.webhook("hook", SECRET, body, null)).statusCode()).as(body).isEqualTo(400);
        }
        assertThat(sim.state().webhookMembers("hook", 101)).isEmpty();
        assertThat(http.send(http.request("/webhook/hook").GET().build()).statusCode()).isEqualTo(405);
    }

    @Test
    void aDefaultSecretServesAnyWebhookName() {
        try (PartnerSimulator open = PartnerSimulator.start(PartnerSimulator.Config.defaults()
                .defaultWebhookSecret("shared"))) {
            SimHttp client = new SimHttp(open);
            assertThat(client.send(client.webhook("anything", "shared", batch("b", add(1, 7, 1)), null)).statusCode())
                    .isEqualTo(200);
            assertThat(open.state().webhookMembers("anything", 7)).containsExactly(1L);
            assertThat(open.webhookUrl("anything")).isEqualTo(open.baseUrl() + "/webhook/anything");
        }
    }
}
