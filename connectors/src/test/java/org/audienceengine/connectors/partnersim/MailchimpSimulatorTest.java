package org.audienceengine.connectors.partnersim;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class MailchimpSimulatorTest {

    private static final String KEY = "mc-key-us21";
    private static final String LIST = "a1b2c3";

    private final CountDownLatch held = new CountDownLatch(10);
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger toHold = new AtomicInteger();
    private PartnerSimulator sim;
    private SimHttp http;

    @BeforeEach
    void start() {
        sim = PartnerSimulator.start(PartnerSimulator.Config.defaults()
                .mailchimpApiKey(KEY)
                .requestHook(endpoint -> {
                    // Holds the first requests a test asks for inside the server, in flight.
                    if (toHold.getAndDecrement() > 0) {
                        held.countDown();
                        release.await(20, TimeUnit.SECONDS);
                    }
                }));
        http = new SimHttp(sim);
    }

    @AfterEach
    void stop() {
        release.countDown();
        sim.close();
    }

    @Test
    void rejectsMissingOrWrongKeyWithMailchimpErrorBody() {
        HttpResponse<String> none = http.send(http.request(SimHttp.memberPath(LIST, "a@x.com"))
                .PUT(HttpRequest.BodyPublishers.ofString(SimHttp.memberBody("a@x.com", "subscribed"))).build());
        HttpResponse<String> wrong = http.send(http.mailchimpPut("not-the-key", LIST, "a@x.com", "subscribed"));
        HttpResponse<String> notBasic = http.send(http.request(SimHttp.memberPath(LIST, "a@x.com"))
                .header("Authorization", "Bearer " + KEY).GET().build());

        assertThat(List.of(none.statusCode(), wrong.statusCode(), notBasic.statusCode())).containsOnly(401);
        JsonNode body = SimHttp.json(wrong);
        assertThat(body.path("status").asInt()).isEqualTo(401);
        assertThat(body.path("title").asText()).isEqualTo("API Key Invalid");
        assertThat(wrong.headers().firstValue("Content-Type")).hasValueSatisfying(
                ct -> assertThat(ct).startsWith("application/problem+json"));
        assertThat(sim.state().mailchimpMembers(LIST)).isEmpty();
        assertThat(sim.state().responses("mailchimp_member_put", 401)).isEqualTo(2);
    }

    @Test
    void anyUserNameIsAccepted() {
        HttpRequest req = http.request(SimHttp.memberPath(LIST, "a@x.com"))
                .header("Authorization", SimHttp.basic("whoever", KEY))
                .PUT(HttpRequest.BodyPublishers.ofString(SimHttp.memberBody("a@x.com", "subscribed"))).build();
        assertThat(http.send(req).statusCode()).isEqualTo(200);
    }

    @Test
    void subscriberHashMustBeMd5OfLowerCasedEmail() {
        HttpRequest wrongHash = http.request("/mailchimp/3.0/lists/" + LIST + "/members/" + MailchimpApi.md5Hex("b@x.com"))
                .header("Authorization", SimHttp.basic("u", KEY))
                .PUT(HttpRequest.BodyPublishers.ofString(SimHttp.memberBody("a@x.com", "subscribed"))).build();
        HttpRequest caseSensitiveHash = http.request("/mailchimp/3.0/lists/" + LIST + "/members/" + MailchimpApi.md5Hex("Ann@X.com"))
                .header("Authorization", SimHttp.basic("u", KEY))
                .PUT(HttpRequest.BodyPublishers.ofString(SimHttp.memberBody("Ann@X.com", "subscribed"))).build();

        assertThat(http.send(wrongHash).statusCode()).isEqualTo(400);
        HttpResponse<String> upper = http.send(caseSensitiveHash);
        assertThat(upper.statusCode()).isEqualTo(400);
        assertThat(SimHttp.json(upper).path("detail").asText()).contains("MD5");
        // The hash of the lower-cased address is accepted for a mixed-case address.
        assertThat(http.send(http.mailchimpPut(KEY, LIST, "Ann@X.com", "subscribed")).statusCode()).isEqualTo(200);
        assertThat(sim.state().mailchimpMembers(LIST)).containsExactly(Map.entry("Ann@X.com", "subscribed"));
    }

    @Test
    void putUpsertsDeleteRemovesAndAbsentDeleteIs404() {
        HttpResponse<String> created = http.send(http.mailchimpPut(KEY, LIST, "ann@example.com", "subscribed"));
        assertThat(created.statusCode()).isEqualTo(200);
        assertThat(SimHttp.json(created).path("status").asText()).isEqualTo("subscribed");
        assertThat(SimHttp.json(created).path("id").asText()).isEqualTo(MailchimpApi.md5Hex("ann@example.com"));
        // Repeating the upsert is harmless; a new status replaces the old one.
        assertThat(http.send(http.mailchimpPut(KEY, LIST, "ann@example.com", "subscribed")).statusCode()).isEqualTo(200);
        assertThat(http.send(http.mailchimpPut(KEY, LIST, "bob@example.com", "pending")).statusCode()).isEqualTo(200);
        assertThat(sim.state().mailchimpMembers(LIST))
                .containsOnly(Map.entry("ann@example.com", "subscribed"), Map.entry("bob@example.com", "pending"));

        assertThat(http.send(http.mailchimpPut(KEY, LIST, "ann@example.com", "unsubscribed")).statusCode()).isEqualTo(200);
        HttpResponse<String> got = http.send(http.mailchimpGet(KEY, LIST, "ann@example.com"));
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(SimHttp.json(got).path("status").asText()).isEqualTo("unsubscribed");
        assertThat(sim.state().mailchimpSubscribed(LIST)).isEmpty();

        HttpResponse<String> deleted = http.send(http.mailchimpDelete(KEY, LIST, "ann@example.com"));
        assertThat(deleted.statusCode()).isEqualTo(204);
        assertThat(deleted.body()).isEmpty();
        assertThat(http.send(http.mailchimpDelete(KEY, LIST, "ann@example.com")).statusCode()).isEqualTo(404);
        assertThat(http.send(http.mailchimpGet(KEY, LIST, "ann@example.com")).statusCode()).isEqualTo(404);
        assertThat(http.send(http.mailchimpDelete(KEY, "other-list", "ann@example.com")).statusCode()).isEqualTo(404);
        assertThat(sim.state().mailchimpMembers(LIST)).containsOnlyKeys("bob@example.com");
        assertThat(sim.state().json().at("/mailchimp/lists/" + LIST + "/member_count").asInt()).isEqualTo(1);
    }

    @Test
    void rejectsBadBodiesWithoutChangingState() {
        String path = SimHttp.memberPath(LIST, "c@x.com");
        for (String body : List.of("not json", "[]", "{\"status_if_new\":\"subscribed\"}",
                "{\"email_address\":\"c@x.com\"}",
                "{\"email_address\":\"c@x.com\",\"status_if_new\":\"member\"}")) {
            HttpResponse<String> r = http.send(http.request(path).header("Authorization", SimHttp.basic("u", KEY))
                    .PUT(HttpRequest.BodyPublishers.ofString(body)).build());
            assertThat(r.statusCode()).as(body).isEqualTo(400);
        }
        HttpResponse<String> post = http.send(http.request(path).header("Authorization", SimHttp.basic("u", KEY))
                .POST(HttpRequest.BodyPublishers.ofString(SimHttp.memberBody("c@x.com", "subscribed"))).build());
        assertThat(post.statusCode()).isEqualTo(405);
        HttpResponse<String> otherPath = http.send(http.request("/mailchimp/3.0/lists/" + LIST)
                .header("Authorization", SimHttp.basic("u", KEY)).GET().build());
        assertThat(otherPath.statusCode()).isEqualTo(404);
        assertThat(sim.state().mailchimpMembers(LIST)).isEmpty();
    }

    @Test
    void moreThanTenConcurrentRequestsOnOneKeyGet429() throws Exception {
        toHold.set(10);
        List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            inFlight.add(http.sendAsync(http.mailchimpPut(KEY, LIST, "user" + i + "@x.com", "subscribed")));
        }
        assertThat(held.await(10, TimeUnit.SECONDS)).as("ten requests held in flight").isTrue();

        HttpResponse<String> eleventh = http.send(http.mailchimpPut(KEY, LIST, "late@x.com", "subscribed"));
        assertThat(eleventh.statusCode()).isEqualTo(429);
        JsonNode problem = SimHttp.json(eleventh);
        assertThat(problem.path("title").asText()).isEqualTo("Too Many Requests");
        assertThat(problem.path("status").asInt()).isEqualTo(429);
        assertThat(problem.path("type").asText()).startsWith("https://mailchimp.com/");
        assertThat(problem.path("detail").asText()).contains("10 simultaneous");
        assertThat(http.send(http.mailchimpGet(KEY, LIST, "user0@x.com")).statusCode()).isEqualTo(429);
        // The limit is per key: another key is not throttled (and fails on auth instead).
        assertThat(http.send(http.mailchimpGet("another-key", LIST, "user0@x.com")).statusCode()).isEqualTo(401);

        release.countDown();
        for (CompletableFuture<HttpResponse<String>> f : inFlight) {
            assertThat(f.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
        // Slots are free again once the held requests are answered.
        assertThat(http.send(http.mailchimpPut(KEY, LIST, "late@x.com", "subscribed")).statusCode()).isEqualTo(200);

        SimulatorState state = sim.state();
        assertThat(state.mailchimpMembers(LIST)).hasSize(11).doesNotContainKey("user10@x.com");
        assertThat(state.mailchimpMaxConcurrent(KEY)).isEqualTo(11);
        assertThat(state.mailchimpMaxConcurrent("another-key")).isEqualTo(1);
        assertThat(state.responses("mailchimp_member_put", 429)).isEqualTo(1);
        assertThat(state.responses("mailchimp_member_get", 429)).isEqualTo(1);
        assertThat(state.json().path("counters").path("mailchimp_max_concurrent").toString()).doesNotContain(KEY);
    }

    @Test
    void aClientKeepingToTenInFlightIsNeverThrottled() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        java.util.concurrent.Semaphore permits = new java.util.concurrent.Semaphore(10);
        for (int i = 0; i < 300; i++) {
            permits.acquire();
            all.add(http.sendAsync(http.mailchimpPut(KEY, LIST, "u" + i + "@x.com", "subscribed"))
                    .whenComplete((r, e) -> permits.release()));
        }
        for (CompletableFuture<HttpResponse<String>> f : all) {
            assertThat(f.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
        assertThat(sim.state().mailchimpMembers(LIST)).hasSize(300);
        assertThat(sim.state().mailchimpMaxConcurrent(KEY)).isBetween(1L, 10L);
    }
}
