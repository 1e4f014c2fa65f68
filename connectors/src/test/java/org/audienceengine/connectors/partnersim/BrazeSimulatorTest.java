package org.audienceengine.connectors.partnersim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class BrazeSimulatorTest {

    private static final String KEY = "braze-rest-key";

    /** A clock the test moves, so the rate window can pass without waiting for it. */
    static final class ManualClock extends Clock {
        final AtomicLong millis = new AtomicLong(1_767_225_600_000L);

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }
    }

    private final ManualClock clock = new ManualClock();
    private PartnerSimulator sim;
    private SimHttp http;

    @BeforeEach
    void start() {
        sim = PartnerSimulator.start(PartnerSimulator.Config.defaults()
                .brazeApiKey(KEY)
                .brazeRate(5, Duration.ofSeconds(60))
                .clock(clock));
        http = new SimHttp(sim);
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    private static String attributes(int n) {
        StringJoiner objects = new StringJoiner(",", "{\"attributes\":[", "]}");
        for (int i = 0; i < n; i++) {
            objects.add("{\"external_id\":\"c-" + i + "\",\"SegmentMembership\":{\"add\":[\"101\"]}}");
        }
        return objects.toString();
    }

    @Test
    void rejectsMissingOrWrongBearerKey() {
        HttpResponse<String> wrong = http.send(http.brazeTrack("wrong", attributes(1)));
        HttpResponse<String> missing = http.send(http.request("/braze/users/track")
                .POST(HttpRequest.BodyPublishers.ofString(attributes(1))).build());
        HttpResponse<String> basic = http.send(http.request("/braze/users/track")
                .header("Authorization", SimHttp.basic("u", KEY))
                .POST(HttpRequest.BodyPublishers.ofString(attributes(1))).build());

        assertThat(List.of(wrong.statusCode(), missing.statusCode(), basic.statusCode())).containsOnly(401);
        assertThat(SimHttp.json(wrong).path("message").asText()).containsIgnoringCase("api key");
        assertThat(sim.state().brazeUsers()).isEmpty();
    }

    @Test
    void atMost75AttributeObjectsPerRequest() {
        HttpResponse<String> tooMany = http.send(http.brazeTrack(KEY, attributes(76)));
        assertThat(tooMany.statusCode()).isEqualTo(400);
        assertThat(SimHttp.json(tooMany).path("message").asText()).contains("76").contains("75");
        assertThat(sim.state().brazeUsers()).isEmpty();

        HttpResponse<String> ok = http.send(http.brazeTrack(KEY, attributes(75)));
        assertThat(ok.statusCode()).isEqualTo(201);
        JsonNode body = SimHttp.json(ok);
        assertThat(body.path("message").asText()).isEqualTo("success");
        assertThat(body.path("attributes_processed").asInt()).isEqualTo(75);
        assertThat(sim.state().brazeUsers()).hasSize(75);
    }

    @Test
    void appliesSegmentMembershipAddRemoveAndInAttributes() {
        String first = "{\"attributes\":["
                + "{\"external_id\":\"c-42\",\"SegmentMembership\":{\"add\":[\"101\",\"102\"]}},"
                + "{\"external_id\":\"c-42\",\"In cart_abandoners\":true},"
                + "{\"external_id\":\"c-7\",\"SegmentMembership\":{\"add\":[\"101\"]},\"In cart_abandoners\":true}]}";
        assertThat(http.send(http.brazeTrack(KEY, first)).statusCode()).isEqualTo(201);
        String second = "{\"attributes\":["
                + "{\"external_id\":\"c-42\",\"SegmentMembership\":{\"remove\":[\"101\"]}},"
                + "{\"external_id\":\"c-42\",\"In cart_abandoners\":false},"
                + "{\"external_id\":\"c-7\",\"SegmentMembership\":{\"remove\":[\"999\"]}}]}";
        HttpResponse<String> r = http.send(http.brazeTrack(KEY, second));
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(SimHttp.json(r).path("attributes_processed").asInt()).isEqualTo(3);

        SimulatorState state = sim.state();
        assertThat(state.brazeSegments("c-42")).containsExactly("102");
        assertThat(state.brazeSegments("c-7")).containsExactly("101");
        assertThat(state.brazeAttributes("c-42")).containsEntry("In cart_abandoners", BooleanNode.FALSE);
        assertThat(state.brazeAttributes("c-7")).containsEntry("In cart_abandoners", BooleanNode.TRUE);
        assertThat(state.json().at("/braze/users/c-42/segments").toString()).isEqualTo("[\"102\"]");

        // Setting the whole array replaces the set; a null attribute is unset.
        String replace = "{\"attributes\":[{\"external_id\":\"c-42\",\"SegmentMembership\":[\"201\",\"202\"],"
                + "\"In cart_abandoners\":null}]}";
        assertThat(http.send(http.brazeTrack(KEY, replace)).statusCode()).isEqualTo(201);
        assertThat(sim.state().brazeSegments("c-42")).containsExactly("201", "202");
        assertThat(sim.state().brazeAttributes("c-42")).isEmpty();
    }

    @Test
    void anInvalidObjectRejectsTheWholeRequest() {
        for (String body : List.of(
                "{\"attributes\":[{\"external_id\":\"ok\",\"In a\":true},{\"In a\":true}]}",
                "{\"attributes\":[{\"external_id\":\"ok\",\"In a\":\"yes\"}]}",
                "{\"attributes\":[{\"external_id\":\"ok\",\"SegmentMembership\":{\"toggle\":[\"1\"]}}]}",
                "{\"attributes\":{\"external_id\":\"ok\"}}",
                "{\"events\":[]}",
                "{\"attributes\":[")) {
            clock.millis.addAndGet(60_000); // keeps these requests clear of the rate limit of 5
            assertThat(http.send(http.brazeTrack(KEY, body)).statusCode()).as(body).isEqualTo(400);
        }
        assertThat(sim.state().brazeUsers()).isEmpty();
        HttpResponse<String> get = http.send(http.request("/braze/users/track")
                .header("Authorization", "Bearer " + KEY).GET().build());
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(http.send(http.request("/braze/users/delete").header("Authorization", "Bearer " + KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build()).statusCode()).isEqualTo(404);
    }

    @Test
    void rateLimitAnswers429WithRetryAfterUntilTheWindowMoves() {
        for (int i = 0; i < 5; i++) {
            assertThat(http.send(http.brazeTrack(KEY, attributes(1))).statusCode()).isEqualTo(201);
        }
        clock.millis.addAndGet(20_000);
        HttpResponse<String> limited = http.send(http.brazeTrack(KEY, attributes(1)));
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).hasValue("40");
        assertThat(limited.headers().firstValue("X-RateLimit-Remaining")).hasValue("0");

        clock.millis.addAndGet(40_000);
        assertThat(http.send(http.brazeTrack(KEY, attributes(1))).statusCode()).isEqualTo(201);
        assertThat(http.send(http.brazeTrack(KEY, attributes(1))).statusCode()).isEqualTo(201);

        SimulatorState state = sim.state();
        assertThat(state.responses("braze_users_track", 201)).isEqualTo(7);
        assertThat(state.responses("braze_users_track", 429)).isEqualTo(1);
        assertThat(state.requests("braze_users_track")).isEqualTo(8);
    }
}
