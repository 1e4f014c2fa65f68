package org.audienceengine.connectors.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import org.audienceengine.connectors.mailchimp.MailchimpOutput;
import org.audienceengine.connectors.partnersim.PartnerSimulator;
import org.audienceengine.connectors.partnersim.SimulatorState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.audienceengine.connectors.delivery.Changes.change;
import static org.audienceengine.connectors.delivery.Changes.withCustomer;
import static org.audienceengine.connectors.delivery.Changes.withEmail;
import static org.audienceengine.connectors.delivery.DeliveryResult.Status.DELIVERED;
import static org.audienceengine.connectors.delivery.DeliveryResult.Status.SKIPPED_FILTERED;
import static org.audienceengine.connectors.delivery.DeliveryResult.Status.SKIPPED_UNMATCHED;

/** Each output end to end against the real simulator over HTTP, without faults. */
@Timeout(60)
class PartnerDeliveryTest {

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

    @Test
    void mailchimpUpsertsAndDeletesMembersByTheHashOfTheLowerCasedEmail() throws Exception {
        sim = PartnerSimulator.start(Docs.simConfig());
        delivery = new PartnerDelivery(Docs.doc(Docs.mailchimp(sim, "mc", ""),
                Docs.mailchimp(sim, "mc-unsub", ",\"list_id\":\"L2\",\"delete_on_subscription_end\":false,\"double_opt_in\":true")),
                Docs.SECRETS);
        List<CompletableFuture<DeliveryResult>> f = new ArrayList<>();
        f.add(delivery.submit(withEmail(change("mc", 101, 1, 1), " Ann@Example.com ")));
        f.add(delivery.submit(withEmail(change("mc", 101, 2, 1), "bob@example.com")));
        f.add(delivery.submit(withEmail(change("mc", 101, 2, 2), "BOB@example.com")));
        // A remove for a member Mailchimp never had: 404 on DELETE is success.
        f.add(delivery.submit(withEmail(change("mc", 101, 3, 2), "carl@example.com")));
        f.add(delivery.submit(withEmail(change("mc-unsub", 101, 4, 1), "dee@example.com")));
        f.add(delivery.submit(withEmail(change("mc-unsub", 101, 5, 1), "eve@example.com")));
        f.add(delivery.submit(withEmail(change("mc-unsub", 101, 5, 2), "eve@example.com")));
        assertThat(Docs.await(f, 20)).extracting(DeliveryResult::status).containsOnly(DELIVERED);

        SimulatorState s = sim.state();
        assertThat(s.mailchimpMembers("L1")).isEqualTo(Map.of("ann@example.com", "subscribed"));
        assertThat(s.json().path("mailchimp").path("lists").path("L1").path("members").path("ann@example.com")
                .path("id").asText()).isEqualTo(MailchimpOutput.subscriberHash("ann@example.com"));
        assertThat(s.mailchimpMembers("L2")).isEqualTo(Map.of("dee@example.com", "pending", "eve@example.com", "unsubscribed"));
        assertThat(s.responses("mailchimp_member_delete", 404)).isEqualTo(1);
        assertThat(s.responsesByStatus(401)).isZero();
    }

    @Test
    void mailchimpKeepsAtMostMaxConcurrencyInFlightAndCountsUnmatched() throws Exception {
        sim = PartnerSimulator.start(Docs.simConfig().mailchimpMaxConcurrency(4));
        delivery = new PartnerDelivery(Docs.doc(Docs.mailchimp(sim, "mc", ",\"max_concurrency\":4")), Docs.SECRETS);
        List<CompletableFuture<DeliveryResult>> f = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            f.add(delivery.submit(withEmail(change("mc", 101, i, 1), "u" + i + "@x.com")));
        }
        f.add(delivery.submit(change("mc", 101, 900, 1).withIdentity("customer_id", "c-900")));
        f.add(delivery.submit(change("mc", 101, 901, 1)));
        AudienceChange otherEnv = withEmail(change("mc", 101, 902, 1), "dev@x.com");
        otherEnv.audienceId = 999;
        f.add(delivery.submit(otherEnv));
        List<DeliveryResult> results = Docs.await(f, 30);
        assertThat(results.subList(0, 200)).extracting(DeliveryResult::status).containsOnly(DELIVERED);
        assertThat(results.subList(200, 202)).extracting(DeliveryResult::status).containsOnly(SKIPPED_UNMATCHED);
        assertThat(results.get(202).status()).isEqualTo(SKIPPED_FILTERED);
        assertThat(delivery.unmatchedCounts()).isEqualTo(Map.of("mc", 2L));
        assertThat(sim.state().mailchimpSubscribed("L1")).hasSize(200);
        // The simulator would have answered 429 to a fifth concurrent request.
        assertThat(sim.state().mailchimpMaxConcurrent(Docs.MC_KEY)).isLessThanOrEqualTo(4);
        assertThat(sim.state().responsesByStatus(429)).isZero();
        assertThat(delivery.stats("mc").requests()).isEqualTo(200);
    }

    @Test
    void brazeBatchesUpTo75AttributeObjectsAcrossUsers() throws Exception {
        sim = PartnerSimulator.start(Docs.simConfig());
        delivery = new PartnerDelivery(Docs.doc(Docs.braze(sim, "braze", ",\"send_segments_as\":\"both\",\"max_wait_ms\":500")),
                Docs.SECRETS);
        List<CompletableFuture<DeliveryResult>> f = new ArrayList<>();
        for (int i = 0; i < 160; i++) {
            f.add(delivery.submit(withCustomer(change("braze", 101, i, 1), "c-" + i)));
        }
        f.add(delivery.submit(withEmail(change("braze", 101, 999, 1), "no-customer-id@x.com")));
        List<DeliveryResult> results = Docs.await(f, 20);
        assertThat(results.subList(0, 160)).extracting(DeliveryResult::status).containsOnly(DELIVERED);
        assertThat(results.get(160).status()).isEqualTo(SKIPPED_UNMATCHED);
        SimulatorState s = sim.state();
        // 75 + 75 at once, then the 10 left after max_wait_ms.
        assertThat(s.requests("braze_users_track")).isEqualTo(3);
        assertThat(s.brazeUsers()).hasSize(160);
        assertThat(s.brazeSegments("c-7")).containsExactly("101");
        assertThat(s.brazeAttributes("c-7")).containsKey("In aud_101");
        assertThat(s.brazeAttributes("c-7").get("In aud_101").asBoolean()).isTrue();
        assertThat(delivery.unmatchedCounts()).containsEntry("braze", 1L);
    }

    @Test
    void brazeHonoursItsRequestRate() throws Exception {
        sim = PartnerSimulator.start(Docs.simConfig().brazeRate(2, java.time.Duration.ofSeconds(3)));
        delivery = new PartnerDelivery(Docs.doc(Docs.braze(sim, "braze", ",\"requests_per_3s\":2,\"max_wait_ms\":10")),
                Docs.SECRETS);
        List<CompletableFuture<DeliveryResult>> f = new ArrayList<>();
        for (int i = 0; i < 3 * 75; i++) {
            f.add(delivery.submit(withCustomer(change("braze", 101, i, 1), "c-" + i)));
        }
        assertThat(Docs.await(f, 20)).extracting(DeliveryResult::status).containsOnly(DELIVERED);
        // Three full batches, or one more if max_wait_ms ran out while the test was still submitting.
        assertThat(sim.state().requests("braze_users_track")).isBetween(3L, 4L);
        assertThat(sim.state().responsesByStatus(429)).isZero();
    }

    @Test
    void webhookSignsBatchesAndKeepsItsIdempotencyKeyAcrossRetriesAndRestarts() throws Exception {
        AtomicReference<PartnerSimulator> ref = new AtomicReference<>();
        AtomicInteger calls = new AtomicInteger();
        // The first delivery fails with a 5xx, the rest succeed: the hook runs before faults are drawn.
        sim = PartnerSimulator.start(Docs.simConfig().requestHook(endpoint -> {
            if (endpoint.equals("webhook")) {
                ref.get().setFaults(calls.incrementAndGet() == 1 ? "5xx=1" : "none");
            }
        }));
        ref.set(sim);
        String doc = Docs.doc(Docs.webhook(sim, "hook", "hook",
                ",\"max_batch\":3,\"max_wait_ms\":100,\"initial_backoff_ms\":10,\"max_backoff_ms\":50"));
        List<AudienceChange> changes = List.of(
                change("hook", 101, 1, 1).withIdentity("email", "a@x.com"),
                change("hook", 101, 2, 1), change("hook", 102, 1, 1));
        delivery = new PartnerDelivery(doc, Docs.SECRETS);
        assertThat(Docs.await(changes.stream().map(delivery::submit).toList(), 20))
                .extracting(DeliveryResult::status).containsOnly(DELIVERED);
        SimulatorState s = sim.state();
        assertThat(s.requests("webhook")).isEqualTo(2);
        assertThat(s.responsesByStatus(401)).isZero();
        assertThat(s.webhookCount("hook", "applied")).isEqualTo(1);
        assertThat(s.webhookMembers("hook", 101)).containsExactlyInAnyOrder(1L, 2L);
        assertThat(s.webhookMembers("hook", 102)).containsExactly(1L);
        delivery.close();

        // A restart re-delivers the same deltas (from the operator's state): same key, so a duplicate.
        delivery = new PartnerDelivery(doc, Docs.SECRETS);
        assertThat(Docs.await(changes.stream().map(delivery::submit).toList(), 20))
                .extracting(DeliveryResult::status).containsOnly(DELIVERED);
        s = sim.state();
        assertThat(s.webhookCount("hook", "applied")).isEqualTo(1);
        assertThat(s.webhookCount("hook", "duplicates")).isEqualTo(1);
        assertThat(s.duplicates()).isEqualTo(1);
    }

    @Test
    void webhookFlushesPartialBatchesAfterMaxWaitAndNeverBatchesOneKeyTwice() throws Exception {
        sim = PartnerSimulator.start(Docs.simConfig());
        delivery = new PartnerDelivery(Docs.doc(Docs.webhook(sim, "hook", "hook", ",\"max_batch\":50,\"max_wait_ms\":50")),
                Docs.SECRETS);
        List<CompletableFuture<DeliveryResult>> f = new ArrayList<>();
        for (int seq = 1; seq <= 5; seq++) {
            f.add(delivery.submit(change("hook", 101, 1, seq)));
        }
        assertThat(Docs.await(f, 20)).extracting(DeliveryResult::status).containsOnly(DELIVERED);
        SimulatorState s = sim.state();
        assertThat(s.requests("webhook")).isEqualTo(5);
        assertThat(s.webhookCount("hook", "out_of_order")).isZero();
        assertThat(s.webhookMembers("hook", 101)).containsExactly(1L);
        JsonNode last = s.json().path("webhooks").path("hook").path("audiences").path("101").path("memberships").path("1");
        assertThat(last.path("delta_id").asText()).endsWith(":5");
        assertThat(Set.copyOf(delivery.connectionIds())).containsExactly("hook");
    }
}
