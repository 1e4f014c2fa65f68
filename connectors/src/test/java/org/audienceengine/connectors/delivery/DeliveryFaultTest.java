package org.audienceengine.connectors.delivery;

import org.audienceengine.connectors.partnersim.PartnerSimulator;
import org.audienceengine.connectors.partnersim.SimulatorState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.audienceengine.connectors.delivery.Changes.change;
import static org.audienceengine.connectors.delivery.Changes.withCustomer;
import static org.audienceengine.connectors.delivery.Changes.withEmail;
import static org.audienceengine.connectors.delivery.DeliveryResult.Status.DEAD_LETTERED;
import static org.audienceengine.connectors.delivery.DeliveryResult.Status.DELIVERED;

/** Ordering, retries, dead letters and fault state against the simulator's injected faults. */
@Timeout(60)
class DeliveryFaultTest {

    /** Short timeouts and backoffs so that a fault mix settles in seconds. */
    private static final String FAST = ",\"timeout_ms\":300,\"initial_backoff_ms\":20,\"max_backoff_ms\":200,\"max_attempts\":30";

    private PartnerSimulator sim;
    private PartnerDelivery delivery;

    @AfterEach
    void stop() {
        if (delivery != null) {
            delivery.close();
        }
        if (sim != null) {
            sim.close();
        }
    }

    /** A listener that records events, so tests wait on them instead of sleeping. */
    private static final class Events implements DeliveryListener {
        final CompletableFuture<String> faulted = new CompletableFuture<>();
        final List<DeadLetter> letters = new CopyOnWriteArrayList<>();

        @Override
        public void faulted(String connectionId, String reason) {
            faulted.complete(connectionId + ": " + reason);
        }

        @Override
        public void deadLettered(DeadLetter letter) {
            letters.add(letter);
        }
    }

    @Test
    void rapidFlipsOfOneIdentityUnderFaultsEndInTheLastActionInOrder() throws Exception {
        sim = PartnerSimulator.start(Docs.simConfig().faults("5xx=0.10,429=0.05,timeout=0.02,seed=11,slow_ms=1000"));
        delivery = new PartnerDelivery(Docs.doc(
                Docs.mailchimp(sim, "mc", FAST + ",\"max_concurrency\":10"),
                Docs.webhook(sim, "hook", "hook", FAST + ",\"max_batch\":20,\"max_wait_ms\":20")), Docs.SECRETS);
        Random random = new Random(5);
        Map<String, Boolean> lastMailchimp = new TreeMap<>();
        Set<Long> lastWebhook = new TreeSet<>();
        List<CompletableFuture<DeliveryResult>> f = new ArrayList<>();
        for (long user = 1; user <= 30; user++) {
            int flips = 1 + random.nextInt(8);
            String email = "user" + user + "@x.com";
            for (int seq = 1; seq <= flips; seq++) {
                f.add(delivery.submit(withEmail(change("mc", 101, user, seq), email)));
                f.add(delivery.submit(withEmail(change("hook", 101, user, seq), email)));
            }
            lastMailchimp.put(email, flips % 2 == 1);
            if (flips % 2 == 1) {
                lastWebhook.add(user);
            }
        }
        assertThat(Docs.await(f, 45)).extracting(DeliveryResult::status).containsOnly(DELIVERED);
        SimulatorState s = sim.state();
        Set<String> subscribed = new TreeSet<>();
        lastMailchimp.forEach((email, member) -> {
            if (member) {
                subscribed.add(email);
            }
        });
        assertThat(s.mailchimpSubscribed("L1")).isEqualTo(subscribed);
        assertThat(s.mailchimpMembers("L1").keySet()).isEqualTo(subscribed);
        assertThat(s.webhookMembers("hook", 101)).isEqualTo(lastWebhook);
        assertThat(s.webhookCount("hook", "out_of_order")).isZero();
        assertThat(s.faults("5xx") + s.faults("429") + s.faults("timeout")).isPositive();
    }

    @Test
    void faultMatrixEndsWithTheIntendedMembershipOnEveryOutput() throws Exception {
        sim = PartnerSimulator.start(Docs.simConfig().faults("5xx=0.10,429=0.05,timeout=0.02,seed=42,slow_ms=1000"));
        delivery = new PartnerDelivery(Docs.doc(
                Docs.mailchimp(sim, "mc", FAST),
                Docs.braze(sim, "braze", FAST + ",\"max_wait_ms\":20"),
                Docs.webhook(sim, "hook", "hook", FAST + ",\"max_batch\":25,\"max_wait_ms\":20")), Docs.SECRETS);
        Random random = new Random(9);
        Set<String> emails = new TreeSet<>();
        Map<String, Set<String>> segments = new TreeMap<>();
        Map<Long, Set<Long>> hookMembers = new HashMap<>();
        List<CompletableFuture<DeliveryResult>> f = new ArrayList<>();
        int unmatched = 0;
        for (long user = 1; user <= 120; user++) {
            boolean hasEmail = user % 7 != 0;
            boolean hasCustomer = user % 5 != 0;
            for (long audience : new long[] {101, 102}) {
                int flips = 1 + random.nextInt(3);
                for (int seq = 1; seq <= flips; seq++) {
                    // One Mailchimp list holds both audiences' member: send it audience 101 only,
                    // so that its final state is that audience's.
                    for (String conn : audience == 101 ? List.of("mc", "braze", "hook") : List.of("braze", "hook")) {
                        AudienceChange c = change(conn, audience, user, seq);
                        if (hasEmail) {
                            withEmail(c, "u" + user + "@x.com");
                        }
                        if (hasCustomer) {
                            withCustomer(c, "c-" + user);
                        }
                        f.add(delivery.submit(c));
                    }
                }
                boolean member = flips % 2 == 1;
                if (hasCustomer) {
                    Set<String> segs = segments.computeIfAbsent("c-" + user, k -> new TreeSet<>());
                    if (member) {
                        segs.add(Long.toString(audience));
                    }
                }
                if (member) {
                    hookMembers.computeIfAbsent(audience, k -> new TreeSet<>()).add(user);
                }
                if (audience == 101 && hasEmail && member) {
                    emails.add("u" + user + "@x.com");
                }
            }
        }
        List<DeliveryResult> results = Docs.await(f, 50);
        assertThat(results).extracting(DeliveryResult::status).doesNotContain(DEAD_LETTERED);
        SimulatorState s = sim.state();
        for (long audience : new long[] {101, 102}) {
            assertThat(s.webhookMembers("hook", audience)).isEqualTo(hookMembers.getOrDefault(audience, Set.of()));
        }
        assertThat(s.webhookCount("hook", "out_of_order")).isZero();
        segments.forEach((id, segs) -> assertThat(s.brazeSegments(id)).as(id).isEqualTo(segs));
        assertThat(delivery.unmatchedCounts().get("braze")).isPositive();
        assertThat(delivery.unmatchedCounts().get("mc")).isPositive();
        assertThat(delivery.unmatchedCounts().get("hook")).isZero();
        assertThat(s.faults("5xx")).isPositive();
        assertThat(s.faults("429")).isPositive();
        assertThat(s.faults("timeout")).isPositive();
        assertThat(s.mailchimpMembers("L1").keySet()).isEqualTo(emails);
        assertThat(s.mailchimpSubscribed("L1")).isEqualTo(emails);
    }

    @Test
    void permanentFailuresAreDeadLetteredWithoutSecretsAndEnoughOfThemFaultTheConnection() throws Exception {
        sim = PartnerSimulator.start(Docs.simConfig());
        Events events = new Events();
        delivery = new PartnerDelivery(Docs.doc(
                Docs.mailchimp(sim, "mc", ",\"fault_after_failures\":3"),
                Docs.webhook(sim, "hook", "nobody", "")), Docs.SECRETS, events);
        // Not an email address: Mailchimp answers 400.
        DeliveryResult bad = delivery.submit(withEmail(change("mc", 101, 1, 1), "not-an-email")).get(10, TimeUnit.SECONDS);
        assertThat(bad.status()).isEqualTo(DEAD_LETTERED);
        DeadLetter letter = bad.deadLetter();
        assertThat(letter.lastStatus()).isEqualTo(400);
        assertThat(letter.deltaIds()).containsExactly(change("mc", 101, 1, 1).deltaId);
        assertThat(letter.method()).isEqualTo("PUT");
        assertThat(letter.url()).startsWith(sim.mailchimpBaseUrl() + "/lists/L1/members/");
        assertThat(letter.requestBody()).contains("not-an-email");
        assertThat(letter.responseBody()).contains("not an email address");
        assertThat(letter.attempts()).isEqualTo(1);
        String basic = Base64.getEncoder().encodeToString(("audience-engine:" + Docs.MC_KEY).getBytes(UTF_8));
        assertThat(letter.toJson()).doesNotContain(Docs.MC_KEY).doesNotContain(basic).doesNotContain("Authorization");
        assertThat(letter.toString()).doesNotContain(Docs.MC_KEY);

        // An unknown webhook is a 404: dead-lettered, the signing secret nowhere.
        DeliveryResult hook = delivery.submit(change("hook", 101, 1, 1)).get(10, TimeUnit.SECONDS);
        assertThat(hook.status()).isEqualTo(DEAD_LETTERED);
        assertThat(hook.deadLetter().lastStatus()).isEqualTo(404);
        assertThat(hook.deadLetter().toJson()).doesNotContain(Docs.HOOK_SECRET);
        assertThat(events.letters).hasSize(2);

        // fault_after_failures consecutive permanent failures fault the connection.
        assertThat(delivery.isFaulted("mc")).isFalse();
        delivery.submit(withEmail(change("mc", 101, 2, 1), "bad-2")).get(10, TimeUnit.SECONDS);
        delivery.submit(withEmail(change("mc", 101, 3, 1), "bad-3")).get(10, TimeUnit.SECONDS);
        assertThat(events.faulted.get(10, TimeUnit.SECONDS)).startsWith("mc: 3 consecutive");
        assertThat(delivery.isFaulted("mc")).isTrue();
        CompletableFuture<DeliveryResult> held = delivery.submit(withEmail(change("mc", 101, 4, 1), "ok@x.com"));
        assertThatThrownBy(() -> held.get(300, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        delivery.resume("mc");
        assertThat(held.get(10, TimeUnit.SECONDS).status()).isEqualTo(DELIVERED);
        assertThat(sim.state().mailchimpSubscribed("L1")).containsExactly("ok@x.com");
    }

    @Test
    void authFailureFaultsTheConnectionHoldsEverythingAndResumeDeliversInOrder() throws Exception {
        sim = PartnerSimulator.start(Docs.simConfig().faults("auth=1"));
        Events events = new Events();
        delivery = new PartnerDelivery(Docs.doc(
                Docs.mailchimp(sim, "mc", FAST),
                Docs.webhook(sim, "hook", "hook", FAST + ",\"max_batch\":5,\"max_wait_ms\":10")), Docs.SECRETS, events);
        List<CompletableFuture<DeliveryResult>> f = new ArrayList<>();
        for (long user = 1; user <= 10; user++) {
            for (int seq = 1; seq <= 3; seq++) {
                f.add(delivery.submit(withEmail(change("mc", 101, user, seq), "u" + user + "@x.com")));
                f.add(delivery.submit(change("hook", 101, user, seq)));
            }
        }
        events.faulted.get(10, TimeUnit.SECONDS);
        CompletableFuture<Object> any = CompletableFuture.anyOf(f.toArray(CompletableFuture[]::new));
        assertThatThrownBy(() -> any.get(500, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        assertThat(delivery.isFaulted("mc")).isTrue();
        assertThat(delivery.isFaulted("hook")).isTrue();
        assertThat(events.letters).isEmpty();
        long requestsWhileFaulted = sim.state().requests("mailchimp_member_put");
        // One call per ordering key at most, and no retry loop.
        assertThat(requestsWhileFaulted).isLessThanOrEqualTo(10);
        assertThat(delivery.stats("mc").pending()).isEqualTo(30);

        sim.setFaults("none");
        delivery.resume("mc");
        delivery.resume("hook");
        assertThat(Docs.await(f, 20)).extracting(DeliveryResult::status).containsOnly(DELIVERED);
        SimulatorState s = sim.state();
        Set<String> expected = new TreeSet<>();
        for (long user = 1; user <= 10; user++) {
            expected.add("u" + user + "@x.com");
        }
        assertThat(s.mailchimpSubscribed("L1")).isEqualTo(expected);
        assertThat(s.webhookMembers("hook", 101)).hasSize(10);
        assertThat(s.webhookCount("hook", "out_of_order")).isZero();
        assertThat(delivery.isFaulted("mc")).isFalse();
        assertThat(events.letters).isEmpty();
    }
}
