package org.audienceengine.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.audienceengine.live.DeliveryRig.await;
import static org.audienceengine.live.DeliveryRig.unchecked;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import org.audienceengine.connectors.partnersim.PartnerSimulator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Stop with a savepoint at parallelism 1 while a slow partner has calls in flight and another
 * connection is faulted, resume at 2, then stop again and resume at 1: the fault survives both
 * rescales (no call reaches the faulted partner until it is resumed), no member's calls are
 * reordered, and both partners converge on the committed membership.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class DeliveryRescaleITCase {
    private static final String MC_KEY = "mc-rescale-key-9b24";
    private static final String HOOK_SECRET = "hook-rescale-secret-77f1";
    private static final String DEFINITIONS = """
            {"audiences": [{"id": 7, "name": "pro", "criteria": {"user_attribute": {"name": "plan", "op": "equals", "value": "pro"}}}]}""";

    @TempDir
    Path dir;

    @Test
    void faultsAndOrderSurviveRescalingWithCallsInFlight() throws Exception {
        PartnerSimulator.Config simulator = PartnerSimulator.Config.defaults()
                .mailchimpApiKey(MC_KEY).webhookSecret("hook", HOOK_SECRET).faults("timeout=0.3,slow_ms=400,seed=5");
        try (DeliveryRig rig = new DeliveryRig(simulator, dir, 1)) {
            Path mcKey = Files.writeString(dir.resolve("mc.secret"), "an-expired-key");
            String connections = connections(rig.sim, mcKey);

            // p=1: the list refuses the key (faulted); the webhook is slow and times out often.
            JobClient first = start(rig, connections, 1, null);
            for (long mpid = 1; mpid <= 60; mpid++) {
                rig.batch(mpid, "pro", "c-" + mpid);
            }
            await(() -> rig.sim.state().responses("mailchimp_member_put", 401) > 0, "the list to refuse the key");
            await(() -> !rig.sim.state().webhookMembers("hook", 7).isEmpty(), "the first webhook deliveries");
            String savepoint1 = first.stopWithSavepoint(false, dir.resolve("sp1").toUri().toString(),
                    SavepointFormatType.CANONICAL).get();

            // p=2: more changes, some of the same members again.
            JobClient second = start(rig, connections, 2, savepoint1);
            for (long mpid = 1; mpid <= 20; mpid++) {
                rig.batch(mpid, mpid % 2 == 0 ? "free" : "pro", "c-" + mpid);
            }
            await(unchecked(() -> !rig.committedMpids(7).contains(20L)), "the changes committed");
            await(unchecked(() -> rig.sim.state().webhookMembers("hook", 7).equals(rig.committedMpids(7))),
                    "webhook at p=2: the pro users");
            // Calls the first job had in flight have been answered by now; from here the list gets none.
            long listCalls = rig.mailchimpCalls();
            for (long mpid = 61; mpid <= 80; mpid++) {
                rig.batch(mpid, "pro", "c-" + mpid);
            }
            await(unchecked(() -> rig.committedMpids(7).contains(80L)), "the new users committed");
            await(unchecked(() -> rig.sim.state().webhookMembers("hook", 7).equals(rig.committedMpids(7))),
                    "webhook at p=2: the new pro users");
            await(unchecked(rig::deliveryCaughtUp), "delivery to read every committed delta");
            assertThat(rig.mailchimpCalls()).as("still faulted at p=2").isEqualTo(listCalls);
            assertThat(rig.sim.state().mailchimpMembers("list-7")).isEmpty();
            String savepoint2 = second.stopWithSavepoint(false, dir.resolve("sp2").toUri().toString(),
                    SavepointFormatType.CANONICAL).get();

            // p=1 again: the key is rotated and the list resumed.
            JobClient third = start(rig, connections, 1, savepoint2);
            try {
                for (long mpid = 1; mpid <= 10; mpid++) {
                    rig.batch(mpid, "free", "c-" + mpid);
                }
                await(unchecked(() -> !rig.committedMpids(7).contains(9L)), "the changes committed at p=1");
                Files.writeString(mcKey, MC_KEY);
                rig.resume("mc");
                await(unchecked(() -> rig.sim.state().mailchimpSubscribed("list-7").equals(rig.committedEmails(7))),
                        "mailchimp at p=1: the pro users");
                await(unchecked(() -> rig.sim.state().webhookMembers("hook", 7).equals(rig.committedMpids(7))),
                        "webhook at p=1: the pro users");
                assertThat(rig.committedMpids(7)).hasSize(60 - 10 - 5 + 20);
                assertThat(rig.sim.state().webhookCount("hook", "out_of_order")).isZero();
            } finally {
                third.cancel().get();
            }
        }
    }

    private static JobClient start(DeliveryRig rig, String connections, int parallelism, String savepoint) throws Exception {
        Configuration flink = DeliveryRig.flink();
        if (savepoint != null) {
            flink.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, flink);
        LiveJob.build(env, rig.config, DEFINITIONS, LiveJob.Options.unbounded().withConnections(connections));
        env.setParallelism(parallelism);
        return env.executeAsync("delivery rescale test p=" + parallelism);
    }

    private String connections(PartnerSimulator sim, Path mcKey) throws Exception {
        Path hook = Files.writeString(dir.resolve("hook.secret"), HOOK_SECRET);
        String retries = "\"timeout_ms\": 200, \"initial_backoff_ms\": 20, \"max_backoff_ms\": 100, \"max_attempts\": 1000";
        return "{\"connections\": ["
                + "{\"id\": \"mc\", \"output\": \"mailchimp\", \"audiences\": [7], \"settings\": {\"base_url\": \""
                + sim.mailchimpBaseUrl() + "\", \"api_key\": {\"file\": \"" + mcKey + "\"}, \"list_id\": \"list-7\", " + retries + "}},"
                + "{\"id\": \"hook\", \"output\": \"webhook\", \"audiences\": [7], \"settings\": {\"url\": \""
                + sim.webhookUrl("hook") + "\", \"secret\": {\"file\": \"" + hook + "\"}, \"max_batch\": 3, \"max_wait_ms\": 20, "
                + retries + "}}]}";
    }
}
