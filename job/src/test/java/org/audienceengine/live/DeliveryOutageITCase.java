package org.audienceengine.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.audienceengine.live.DeliveryRig.CHECKPOINTS;
import static org.audienceengine.live.DeliveryRig.FAIL_ONCE;
import static org.audienceengine.live.DeliveryRig.await;
import static org.audienceengine.live.DeliveryRig.unchecked;

import com.fasterxml.jackson.databind.JsonNode;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import org.audienceengine.connectors.partnersim.PartnerSimulator;
import org.audienceengine.kafka.CommittedRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A long partner outage over 10,000 members with five changes each (the outage's length is
 * compressed by a fast backoff: what matters is that its calls are probes and that what is held
 * does not grow with it). During the outage the partner gets a trickle of probes, not a retry
 * per change; after it, each member goes once with its latest state, not once per change. Then a
 * flaky partner (5xx, 429, timeouts) and a job failure mid-delivery: partners still end equal to
 * the committed membership, holding the last committed delta of every member.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class DeliveryOutageITCase {
    private static final String MC_KEY = "mc-outage-key-51fa";
    private static final String HOOK_SECRET = "hook-outage-secret-c07e";
    private static final int USERS = 10_000;
    private static final String DEFINITIONS = """
            {"audiences": [{"id": 7, "name": "pro", "criteria": {"user_attribute": {"name": "plan", "op": "equals", "value": "pro"}}}]}""";

    @TempDir
    Path dir;

    @Test
    void anOutageHoldsOneStatePerMemberAndEndsInOneCallPerMember() throws Exception {
        PartnerSimulator.Config simulator = PartnerSimulator.Config.defaults()
                .mailchimpApiKey(MC_KEY).webhookSecret("hook", HOOK_SECRET).faults("5xx=1");
        try (DeliveryRig rig = new DeliveryRig(simulator, dir, 2)) {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, DeliveryRig.flink());
            FAIL_ONCE.set(false);
            LiveJob.build(env, rig.config, DEFINITIONS, LiveJob.Options.unbounded()
                    .withConnections(connections(rig.sim))
                    .beforeIngest(s -> s.map(new DeliveryRig.FailOnce()).uid("test-fail-once").name("Fail once")));
            JobClient job = env.executeAsync("delivery outage test");
            try {
                // Five batches a user: pro, free, pro, free, then pro for even users and free for odd ones.
                for (int round = 0; round < 5; round++) {
                    for (long mpid = 1; mpid <= USERS; mpid++) {
                        boolean pro = round % 2 == 0 && (round < 4 || mpid % 2 == 0);
                        rig.batchAsync(mpid, pro ? "pro" : "free", "c-" + mpid);
                    }
                }
                rig.flush();
                long expectedDeltas = USERS / 2 * 5L + USERS / 2 * 4L;
                await(() -> rig.committedDeltaCount() == expectedDeltas, "every delta committed");
                await(unchecked(rig::deliveryCaughtUp), "delivery to read every committed delta");
                long duringOutage = rig.mailchimpCalls();
                assertThat(duringOutage).as("probes while the partner is down, not a call per change")
                        .isPositive().isLessThan(USERS / 5);

                // The partner is back: every member once, with its latest state (a few probes cross the switch).
                rig.sim.setFaults("none");
                await(unchecked(() -> rig.sim.state().mailchimpSubscribed("list-7").equals(rig.committedEmails(7))),
                        "mailchimp: the pro users");
                await(unchecked(() -> rig.sim.state().webhookMembers("hook", 7).equals(rig.committedMpids(7))),
                        "webhook: the pro users");
                long afterOutage = rig.mailchimpCalls() - duringOutage;
                assertThat(afterOutage).as("one call per member, not one per delta (%d)", expectedDeltas)
                        .isBetween((long) USERS, USERS + 20L);
                // max_concurrency is the account's: two instances share its 4 calls in flight.
                assertThat(rig.sim.state().mailchimpMaxConcurrent(MC_KEY)).isBetween(2L, 4L);

                // A flaky partner and a job failure while 2,000 members change again.
                rig.sim.setFaults("5xx=0.1,429=0.05,timeout=0.02,slow_ms=300,seed=3");
                int checkpoints = CHECKPOINTS.get();
                for (long mpid = 1; mpid <= 2_000; mpid++) {
                    rig.batchAsync(mpid, mpid % 2 == 1 ? "pro" : "free", "c-" + mpid);
                }
                rig.flush();
                await(() -> CHECKPOINTS.get() > checkpoints + 1, "a checkpoint with the new changes in flight");
                FAIL_ONCE.set(true);
                rig.batch(USERS + 1, "pro", "c-new");
                await(() -> !FAIL_ONCE.get(), "the injected failure");
                await(unchecked(() -> rig.committedMpids(7).contains(USERS + 1L)), "the last batch committed after the restore");
                await(unchecked(() -> rig.sim.state().mailchimpSubscribed("list-7").equals(rig.committedEmails(7))),
                        "mailchimp: the pro users after the restore");
                await(unchecked(() -> rig.sim.state().webhookMembers("hook", 7).equals(rig.committedMpids(7))),
                        "webhook: the pro users after the restore");
                assertThat(rig.sim.state().webhookMembers("hook", 7)).contains(USERS + 1L);
                assertWebhookHoldsTheLastCommittedDeltas(rig);
                assertThat(rig.sim.state().webhookCount("hook", "out_of_order")).isZero();
            } finally {
                job.cancel().get();
            }
        }
    }

    /** Every (audience, mpid) the webhook knows carries the last committed delta id: nothing uncommitted. */
    private static void assertWebhookHoldsTheLastCommittedDeltas(DeliveryRig rig) throws Exception {
        Map<String, String> lastCommitted = new HashMap<>();
        for (String line : CommittedRecords.all(rig.kafka.bootstrapServers(), rig.config.deltasTopic())) {
            JsonNode d = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
            lastCommitted.put(d.get("mpid").asText(), d.get("delta_id").asText());
        }
        JsonNode memberships = rig.sim.state().json().path("webhooks").path("hook").path("audiences").path("7").path("memberships");
        assertThat(memberships.size()).isEqualTo(lastCommitted.size());
        memberships.fields().forEachRemaining(e ->
                assertThat(e.getValue().path("delta_id").asText()).as("mpid " + e.getKey()).isEqualTo(lastCommitted.get(e.getKey())));
    }

    private String connections(PartnerSimulator sim) throws Exception {
        Path mc = Files.writeString(dir.resolve("mc.secret"), MC_KEY);
        Path hook = Files.writeString(dir.resolve("hook.secret"), HOOK_SECRET);
        // A retry budget longer than any outage; a fast backoff so that the test's minutes stand for hours.
        String retries = "\"timeout_ms\": 200, \"initial_backoff_ms\": 20, \"max_backoff_ms\": 200,"
                + " \"max_attempts\": 1000000, \"max_retry_ms\": 86400000";
        return "{\"connections\": ["
                + "{\"id\": \"mc\", \"output\": \"mailchimp\", \"audiences\": [7], \"settings\": {\"base_url\": \""
                + sim.mailchimpBaseUrl() + "\", \"api_key\": {\"file\": \"" + mc + "\"}, \"list_id\": \"list-7\", \"max_concurrency\": 4, "
                // A client timeout frees a slot while the partner still works on the call: none here.
                + retries.replace("\"timeout_ms\": 200", "\"timeout_ms\": 5000") + "}},"
                + "{\"id\": \"hook\", \"output\": \"webhook\", \"audiences\": [7], \"settings\": {\"url\": \""
                + sim.webhookUrl("hook") + "\", \"secret\": {\"file\": \"" + hook + "\"}, \"max_batch\": 100, \"max_wait_ms\": 50, "
                + retries + "}}]}";
    }
}
