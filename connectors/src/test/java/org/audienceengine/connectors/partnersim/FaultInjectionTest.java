package org.audienceengine.connectors.partnersim;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FaultInjectionTest {

    private static final String MC = "mc-key";
    private static final String BRAZE = "bz-key";
    private static final String LIST = "list-1";
    private PartnerSimulator sim;
    private SimHttp http;

    @BeforeEach
    void start() {
        sim = PartnerSimulator.start(PartnerSimulator.Config.defaults()
                .mailchimpApiKey(MC).brazeApiKey(BRAZE).webhookSecret("hook", "s"));
        http = new SimHttp(sim);
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    /** Status of each of n Mailchimp PUTs for distinct emails; -1 for a connection closed unanswered. */
    private List<Integer> putMany(int n, String prefix) {
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            try {
                statuses.add(http.client.send(http.mailchimpPut(MC, LIST, prefix + i + "@x.com", "subscribed"),
                        HttpResponse.BodyHandlers.ofString()).statusCode());
            } catch (IOException e) {
                statuses.add(-1);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        return statuses;
    }

    @Test
    void serverErrorRateIsHonouredAndFailedCallsChangeNothing() {
        sim.setFaults("5xx=0.2,seed=42");
        List<Integer> statuses = putMany(1_000, "u");

        long failures = statuses.stream().filter(s -> s == 500 || s == 503).count();
        long ok = statuses.stream().filter(s -> s == 200).count();
        assertThat(failures).isBetween(150L, 250L);
        assertThat(ok + failures).isEqualTo(1_000);
        assertThat(statuses).contains(500, 503);

        SimulatorState state = sim.state();
        assertThat(state.mailchimpMembers(LIST)).hasSize((int) ok);
        assertThat(state.faults("5xx")).isEqualTo(failures);
        assertThat(state.responses("mailchimp_member_put", 500) + state.responses("mailchimp_member_put", 503))
                .isEqualTo(failures);
        assertThat(state.requests("mailchimp_member_put")).isEqualTo(1_000);
    }

    @Test
    void theSameSeedGivesTheSameFaults() {
        sim.setFaults("5xx=0.3,429=0.2,auth=0.1,seed=7");
        List<Integer> first = putMany(200, "a");
        sim.reset();
        sim.setFaults("5xx=0.3,429=0.2,auth=0.1,seed=7");
        List<Integer> second = putMany(200, "a");
        sim.setFaults("5xx=0.3,429=0.2,auth=0.1,seed=8");
        List<Integer> otherSeed = putMany(200, "a");

        assertThat(second).isEqualTo(first);
        assertThat(otherSeed).isNotEqualTo(first);
        assertThat(first).contains(200, 429, 401).containsAnyOf(500, 503);
    }

    @Test
    void everyKindOfFaultLeavesStateAlone() {
        sim.setFaults("5xx=0.1,429=0.1,timeout=0.05,drop=0.1,auth=0.1,seed=3,slow_ms=20");
        Set<String> acceptedUsers = new HashSet<>();
        int timeouts = 0;
        int dropped = 0;
        int throttled = 0;
        for (int i = 0; i < 400; i++) {
            String user = "c-" + i;
            String body = "{\"attributes\":[{\"external_id\":\"" + user + "\",\"SegmentMembership\":{\"add\":[\"101\"]}}]}";
            try {
                HttpResponse<String> r = http.client.send(http.brazeTrack(BRAZE, body), HttpResponse.BodyHandlers.ofString());
                switch (r.statusCode()) {
                    case 201 -> acceptedUsers.add(user);
                    case 504 -> timeouts++;
                    case 429 -> {
                        throttled++;
                        assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
                    }
                    default -> assertThat(r.statusCode()).isIn(401, 500, 503);
                }
            } catch (IOException e) {
                dropped++;
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        SimulatorState state = sim.state();
        assertThat(state.brazeUsers()).containsExactlyInAnyOrderElementsOf(acceptedUsers);
        assertThat(state.faults("timeout")).isEqualTo(timeouts).isPositive();
        assertThat(state.faults("drop")).isEqualTo(dropped).isPositive();
        assertThat(state.faults("429")).isEqualTo(throttled).isPositive();
        assertThat(state.unanswered("braze_users_track")).isEqualTo(dropped);
        assertThat(state.faults("auth")).isPositive();
        assertThat(state.faults("5xx") + state.faults("429") + state.faults("timeout") + state.faults("drop")
                + state.faults("auth")).isEqualTo(400 - acceptedUsers.size());
    }

    @Test
    void aTimeoutFaultOutlastsTheClientTimeoutAndIsNeverApplied() {
        sim.setFaults("timeout=1,slow_ms=5000");
        String body = "{\"id\":\"b\",\"timestamp_ms\":1,\"user_profiles\":[{\"mpid\":1,\"audiences\":"
                + "[{\"audience_id\":101,\"action\":\"add\",\"delta_id\":\"101:1:1:1\"}]}]}";
        HttpRequest request = http.request("/webhook/hook")
                .timeout(Duration.ofMillis(300))
                .header("X-Signature", WebhookApi.signature("s", body.getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();

        assertThatThrownBy(() -> http.client.send(request, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(HttpTimeoutException.class);
        assertThat(sim.state().faults("timeout")).isEqualTo(1);
        assertThat(sim.state().webhookMembers("hook", 101)).isEmpty();
        // Closing the simulator ends the held request instead of waiting out slow_ms.
    }

    @Test
    void aShortTimeoutFaultAnswers504() {
        sim.setFaults("timeout=1,slow_ms=50");
        long start = System.nanoTime();
        HttpResponse<String> r = http.send(http.mailchimpPut(MC, LIST, "t@x.com", "subscribed"));
        assertThat(r.statusCode()).isEqualTo(504);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(50));
        assertThat(sim.state().mailchimpMembers(LIST)).isEmpty();
    }

    @Test
    void controlEndpointsAreNeverFaulted() {
        sim.setFaults("drop=1");
        HttpResponse<String> state = http.send(http.request("/state").GET().build());
        assertThat(state.statusCode()).isEqualTo(200);
        assertThat(SimHttp.json(state).at("/faults/drop").asDouble()).isEqualTo(1.0);
        assertThat(http.send(http.request("/faults").POST(HttpRequest.BodyPublishers.ofString("none")).build())
                .statusCode()).isEqualTo(200);
        assertThat(http.send(http.mailchimpPut(MC, LIST, "a@x.com", "subscribed")).statusCode()).isEqualTo(200);
    }
}
