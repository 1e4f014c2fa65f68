package org.audienceengine.connectors.partnersim;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PartnerSimulatorControlTest {

    private PartnerSimulator sim;
    private SimHttp http;

    @BeforeEach
    void start() {
        sim = PartnerSimulator.start(PartnerSimulator.Config.defaults().webhookSecret("hook", "s"));
        http = new SimHttp(sim);
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    private void populate() {
        http.send(http.mailchimpPut(PartnerSimulator.DEFAULT_MAILCHIMP_KEY, "L", "a@x.com", "subscribed"));
        http.send(http.brazeTrack(PartnerSimulator.DEFAULT_BRAZE_KEY,
                "{\"attributes\":[{\"external_id\":\"c-1\",\"SegmentMembership\":{\"add\":[\"101\"]}}]}"));
        String body = "{\"id\":\"b\",\"timestamp_ms\":1,\"user_profiles\":[{\"mpid\":77,\"audiences\":"
                + "[{\"audience_id\":101,\"action\":\"add\",\"delta_id\":\"101:77:1:1\"}]}]}";
        http.send(http.webhook("hook", "s", body, "k"));
        http.send(http.webhook("hook", "s", body, "k"));
    }

    @Test
    void stateServesPartnerStateAndCountersAsJson() {
        populate();
        HttpResponse<String> r = http.send(http.request("/state").GET().build());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/json"));
        JsonNode state = SimHttp.json(r);

        assertThat(state.at("/mailchimp/lists/L/members/a@x.com/status").asText()).isEqualTo("subscribed");
        assertThat(state.at("/braze/users/c-1/segments/0").asText()).isEqualTo("101");
        assertThat(state.at("/webhooks/hook/audiences/101/members/0").asLong()).isEqualTo(77);
        assertThat(state.at("/counters/requests/mailchimp_member_put").asLong()).isEqualTo(1);
        assertThat(state.at("/counters/requests/braze_users_track").asLong()).isEqualTo(1);
        assertThat(state.at("/counters/requests/webhook").asLong()).isEqualTo(2);
        assertThat(state.at("/counters/responses/braze_users_track/201").asLong()).isEqualTo(1);
        assertThat(state.at("/counters/responses_by_status/200").asLong()).isEqualTo(3);
        assertThat(state.at("/counters/duplicates").asLong()).isEqualTo(1);
        assertThat(state.at("/counters/faults/5xx").asLong()).isZero();
        assertThat(state.at("/counters/mailchimp_max_concurrent").size()).isEqualTo(1);
        assertThat(state.at("/faults/spec").asText()).isEqualTo("none");
        // The Java view is the same document.
        assertThat(sim.state().json().toString()).isEqualTo(state.toString());
        assertThat(r.body()).doesNotContain(PartnerSimulator.DEFAULT_MAILCHIMP_KEY);
    }

    @Test
    void resetClearsStateAndCountersButKeepsFaults() {
        populate();
        sim.setFaults("5xx=0.5,seed=1");
        HttpResponse<String> r = http.send(http.request("/reset").POST(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(r.statusCode()).isEqualTo(200);

        SimulatorState state = sim.state();
        assertThat(state.mailchimpMembers("L")).isEmpty();
        assertThat(state.brazeUsers()).isEmpty();
        assertThat(state.webhookMembers("hook", 101)).isEmpty();
        assertThat(state.requests("webhook")).isZero();
        assertThat(state.duplicates()).isZero();
        assertThat(state.json().at("/faults/5xx").asDouble()).isEqualTo(0.5);
        // Idempotency keys are forgotten too: the same delivery applies again.
        sim.setFaults("none");
        populate();
        assertThat(sim.state().webhookMembers("hook", 101)).containsExactly(77L);
        sim.reset();
        assertThat(sim.state().mailchimpMembers("L")).isEmpty();
    }

    @Test
    void faultsCanBeReadAndSetAtRunTime() {
        HttpResponse<String> set = http.send(http.request("/faults")
                .POST(HttpRequest.BodyPublishers.ofString("auth=1,seed=5")).build());
        assertThat(set.statusCode()).isEqualTo(200);
        assertThat(SimHttp.json(set).path("auth").asDouble()).isEqualTo(1.0);
        assertThat(SimHttp.json(set).path("seed").asLong()).isEqualTo(5);
        assertThat(http.send(http.mailchimpPut(PartnerSimulator.DEFAULT_MAILCHIMP_KEY, "L", "a@x.com", "subscribed"))
                .statusCode()).isEqualTo(401);
        assertThat(sim.state().faults("auth")).isEqualTo(1);
        assertThat(SimHttp.json(http.send(http.request("/faults").GET().build())).path("spec").asText())
                .isEqualTo(sim.faults().toString()).contains("auth=1.0");

        HttpResponse<String> bad = http.send(http.request("/faults")
                .POST(HttpRequest.BodyPublishers.ofString("5xx=2")).build());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(SimHttp.json(bad).path("error").asText()).contains("5xx");
        assertThat(sim.faults().rate(FaultSpec.Kind.AUTH)).isEqualTo(1.0);
    }

    @Test
    void controlEndpointsCheckTheirMethods() {
        assertThat(http.send(http.request("/state").POST(HttpRequest.BodyPublishers.noBody()).build()).statusCode())
                .isEqualTo(405);
        assertThat(http.send(http.request("/reset").GET().build()).statusCode()).isEqualTo(405);
        assertThat(http.send(http.request("/state/x").GET().build()).statusCode()).isEqualTo(404);
        assertThat(http.send(http.request("/").GET().build()).statusCode()).isEqualTo(404);
    }

    @Test
    void bindsToLoopbackOnAFreePortAndFreesItOnClose() {
        assertThat(sim.port()).isPositive();
        assertThat(sim.baseUrl()).isEqualTo("http://127.0.0.1:" + sim.port());
        assertThat(sim.mailchimpBaseUrl()).endsWith("/mailchimp/3.0");
        assertThat(sim.brazeBaseUrl()).endsWith("/braze");
        int port = sim.port();
        sim.close();
        sim.close();
        try (PartnerSimulator again = PartnerSimulator.start(PartnerSimulator.Config.defaults().port(port))) {
            assertThat(again.port()).isEqualTo(port);
        }
    }

    @Test
    void commandLineFlagsBuildTheConfig() {
        SimulatorCommandLine cli = SimulatorCommandLine.parse(new String[] {
                "--port", "0", "--faults", "5xx=0.1,seed=42", "--mailchimp-key", "mk", "--braze-key=bk",
                "--webhook-secret", "hook=se=cret", "--braze-rate", "2", "--braze-rate-window-ms", "60000"});
        try (PartnerSimulator fromCli = PartnerSimulator.start(cli.config())) {
            SimHttp client = new SimHttp(fromCli);
            assertThat(fromCli.faults().seed()).isEqualTo(42L);
            fromCli.setFaults("none");
            assertThat(client.send(client.mailchimpPut("mk", "L", "a@x.com", "subscribed")).statusCode()).isEqualTo(200);
            String track = "{\"attributes\":[]}";
            assertThat(client.send(client.brazeTrack("bk", track)).statusCode()).isEqualTo(201);
            assertThat(client.send(client.brazeTrack("bk", track)).statusCode()).isEqualTo(201);
            assertThat(client.send(client.brazeTrack("bk", track)).statusCode()).isEqualTo(429);
            String body = "{\"id\":\"b\",\"timestamp_ms\":1,\"user_profiles\":[]}";
            assertThat(client.send(client.webhook("hook", "se=cret", body, null)).statusCode()).isEqualTo(200);
        }

        assertThatThrownBy(() -> SimulatorCommandLine.parse(new String[] {"--port"}))
                .hasMessageContaining("needs a value");
        assertThatThrownBy(() -> SimulatorCommandLine.parse(new String[] {"--colour", "red"}))
                .hasMessageContaining("unknown option");
        assertThatThrownBy(() -> SimulatorCommandLine.parse(new String[] {"--faults", "oops=1"}))
                .hasMessageContaining("unknown fault");
        assertThatThrownBy(() -> SimulatorCommandLine.parse(new String[] {"--webhook-secret", "nosep"}))
                .hasMessageContaining("NAME=SECRET");
    }

    @Test
    void runPrintsUsageAndExitCodesWithoutServing() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertThat(PartnerSimulator.run(new String[] {"--help"}, o, e)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--faults SPEC");
        assertThat(PartnerSimulator.run(new String[] {"--port", "x"}, o, e)).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--port needs an integer");
    }
}
