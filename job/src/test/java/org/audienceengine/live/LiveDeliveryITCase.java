package org.audienceengine.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.audienceengine.live.DeliveryRig.await;
import static org.audienceengine.live.DeliveryRig.CHECKPOINTS;
import static org.audienceengine.live.DeliveryRig.FAIL_ONCE;
import static org.audienceengine.live.DeliveryRig.email;
import static org.audienceengine.live.DeliveryRig.unchecked;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import org.audienceengine.connectors.partnersim.PartnerSimulator;
import org.audienceengine.kafka.CommittedRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/**
 * Delivery in the live job on a bad day: a Mailchimp connection whose key has expired (401,
 * faulted) next to a healthy Braze and a healthy webhook connection, through a job failure and
 * restore. The healthy ones deliver everything while checkpoints keep completing; the fault
 * survives the restore; after the key is rotated and the connection resumed, Mailchimp gets
 * each member's latest state once, and every partner equals the committed membership. Then two
 * audiences on one list, and identity changes that the list does not key by.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LiveDeliveryITCase {
    private static final String MC_KEY = "mc-live-key-6d1e";
    private static final String BRAZE_KEY = "braze-live-key-08aa";
    private static final String HOOK_SECRET = "hook-live-secret-3b9e";
    private static final String DEFINITIONS = """
            {"audiences": [
              {"id": 7, "name": "pro", "criteria": {"user_attribute": {"name": "plan", "op": "equals", "value": "pro"}}},
              {"id": 8, "name": "paid", "criteria": {"user_attribute": {"name": "plan", "op": "in", "value": ["pro", "team"]}}}]}""";

    @TempDir
    Path dir;

    @Test
    void aFaultedPartnerBesideHealthyOnesHoldsAcrossARestoreAndConvergesOnResume() throws Exception {
        PartnerSimulator.Config simulator = PartnerSimulator.Config.defaults()
                .mailchimpApiKey(MC_KEY).brazeApiKey(BRAZE_KEY).webhookSecret("hook", HOOK_SECRET);
        try (DeliveryRig rig = new DeliveryRig(simulator, dir, 2)) {
            Path mcKey = Files.writeString(dir.resolve("mc.secret"), "an-expired-key");
            rig.kafka.createTopics(2, "raw-deltas");
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, DeliveryRig.flink());
            FAIL_ONCE.set(false);
            LiveJob.build(env, rig.config, DEFINITIONS, LiveJob.Options.unbounded()
                    .withConnections(connections(rig.sim, mcKey))
                    .beforeIngest(s -> s.map(new DeliveryRig.FailOnce()).uid("test-fail-once").name("Fail once")));
            JobClient job = env.executeAsync("live delivery test");
            try {
                // Users 1-10 pro (audiences 7 and 8), 11-20 team (8), 21-30 free (none).
                for (long mpid = 1; mpid <= 30; mpid++) {
                    rig.batch(mpid, mpid <= 10 ? "pro" : mpid <= 20 ? "team" : "free", "c-" + mpid);
                }
                Set<String> pro = ids("c-", 1, 10);
                await(() -> rig.brazeIn("7").equals(pro), "braze: the pro users");
                await(() -> rig.sim.state().webhookMembers("hook", 8).equals(range(1, 20)), "webhook: the paid users");
                assertThat(rig.sim.state().responses("mailchimp_member_put", 401)).as("the expired key is refused").isPositive();
                assertThat(rig.sim.state().mailchimpMembers("list-1")).isEmpty();

                // While Mailchimp is faulted: checkpoints complete, deltas keep coming, the others keep delivering,
                // and user 1 flips many times.
                int checkpointsAtFault = CHECKPOINTS.get();
                for (int flip = 0; flip < 6; flip++) {
                    rig.batch(1, flip % 2 == 0 ? "free" : "pro", "c-1");
                }
                for (long mpid = 31; mpid <= 40; mpid++) {
                    rig.batch(mpid, "pro", "c-" + mpid);
                }
                Set<String> moreNow = ids("c-", 1, 10);
                moreNow.addAll(ids("c-", 31, 40));
                await(() -> rig.brazeIn("7").equals(moreNow), "braze: the new pro users");
                await(() -> CHECKPOINTS.get() >= checkpointsAtFault + 4, "checkpoints while a partner is faulted");
                await(unchecked(rig::deliveryCaughtUp), "delivery to read every committed delta");
                long refused = rig.sim.state().responses("mailchimp_member_put", 401);

                // A failure and restore from a checkpoint that holds the fault: the connection stays faulted.
                FAIL_ONCE.set(true);
                rig.batch(41, "pro", "c-41");
                await(() -> !FAIL_ONCE.get(), "the injected failure");
                await(() -> rig.sim.state().webhookMembers("hook", 7).contains(41L), "delivery after the restore");
                assertThat(rig.sim.state().responses("mailchimp_member_put", 401)).as("no call after the restore").isEqualTo(refused);
                assertThat(rig.sim.state().mailchimpMembers("list-1")).isEmpty();

                // The key is rotated and the connection resumed: each held member goes once, with its latest state.
                await(unchecked(rig::deliveryCaughtUp), "delivery to read every committed delta");
                Files.writeString(mcKey, MC_KEY);
                long callsBefore = rig.mailchimpCalls();
                rig.resume("mc");
                Set<String> expected = rig.committedEmails(7, 8);
                assertThat(expected).hasSize(10 + 10 + 11);
                await(() -> rig.sim.state().mailchimpSubscribed("list-1").equals(expected), "mailchimp: every paid user");
                assertThat(rig.mailchimpCalls() - callsBefore).as("one call per held member").isEqualTo(expected.size());

                assertThat(rig.brazeIn("7")).isEqualTo(rig.committedCustomerIds(7));
                assertThat(rig.sim.state().webhookMembers("hook", 7)).isEqualTo(rig.committedMpids(7));
                assertThat(rig.sim.state().webhookMembers("hook", 8)).isEqualTo(rig.committedMpids(8));
                assertThat(rig.sim.state().webhookCount("hook", "out_of_order")).isZero();

                // Two audiences on one list: user 2 leaves 7 but stays in 8, so stays subscribed, with no call.
                // User 3 changes customer id: Braze moves the segment, the list is not touched.
                long calls = rig.mailchimpCalls();
                rig.batch(2, "team", "c-2");
                rig.batch(3, "pro", "c-3-new");
                await(() -> !rig.brazeIn("7").contains("c-2") && rig.brazeIn("7").contains("c-3-new")
                        && !rig.brazeIn("7").contains("c-3"), "braze: user 2 out of 7, user 3 under the new id");
                await(unchecked(rig::deliveryCaughtUp), "delivery to read every committed delta");
                assertThat(rig.sim.state().mailchimpSubscribed("list-1")).contains(email(2), email(3));
                assertThat(rig.mailchimpCalls()).as("no Mailchimp call for either").isEqualTo(calls);
                assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);

                // The kafka output holds the committed deltas of its audience, each once.
                List<String> ofSeven = CommittedRecords.all(rig.kafka.bootstrapServers(), rig.config.deltasTopic()).stream()
                        .filter(l -> l.contains("\"audience_id\":7,")).sorted().toList();
                await(() -> CommittedRecords.all(rig.kafka.bootstrapServers(), "raw-deltas").size() >= ofSeven.size(),
                        "the kafka output");
                assertThat(CommittedRecords.all(rig.kafka.bootstrapServers(), "raw-deltas").stream().sorted().toList())
                        .isEqualTo(ofSeven);
            } finally {
                job.cancel().get();
            }
            assertNoSecretIn(dir.resolve("checkpoints"));
        }
    }

    private static void assertNoSecretIn(Path checkpoints) throws Exception {
        try (var files = Files.walk(checkpoints)) {
            List<Path> all = files.filter(Files::isRegularFile).toList();
            int read = 0;
            for (Path f : all) {
                byte[] bytes;
                try {
                    bytes = Files.readAllBytes(f);
                } catch (java.nio.file.NoSuchFileException subsumed) {
                    continue; // an older checkpoint, cleaned up meanwhile
                }
                read++;
                String text = new String(bytes, StandardCharsets.ISO_8859_1);
                assertThat(text).as(f.toString()).doesNotContain(MC_KEY).doesNotContain(BRAZE_KEY).doesNotContain(HOOK_SECRET);
            }
            assertThat(read).isPositive();
        }
        String log = Files.readString(Path.of("target/test.log"), StandardCharsets.ISO_8859_1);
        assertThat(log).doesNotContain(MC_KEY).doesNotContain(BRAZE_KEY).doesNotContain(HOOK_SECRET);
    }

    private String connections(PartnerSimulator sim, Path mcKey) throws Exception {
        Path braze = Files.writeString(dir.resolve("braze.secret"), BRAZE_KEY);
        Path hook = Files.writeString(dir.resolve("hook.secret"), HOOK_SECRET);
        String fast = "\"initial_backoff_ms\": 20, \"max_backoff_ms\": 200";
        return "{\"connections\": ["
                + "{\"id\": \"mc\", \"output\": \"mailchimp\", \"audiences\": [7, 8], \"settings\": {\"base_url\": \""
                + sim.mailchimpBaseUrl() + "\", \"api_key\": {\"file\": \"" + mcKey + "\"}, \"list_id\": \"list-1\", " + fast + "}},"
                + "{\"id\": \"braze\", \"output\": \"braze\", \"audiences\": [7], \"settings\": {\"base_url\": \""
                + sim.brazeBaseUrl() + "\", \"api_key\": {\"file\": \"" + braze + "\"}, \"max_wait_ms\": 50, " + fast + "}},"
                + "{\"id\": \"hook\", \"output\": \"webhook\", \"audiences\": [7, 8], \"settings\": {\"url\": \""
                + sim.webhookUrl("hook") + "\", \"secret\": {\"file\": \"" + hook + "\"}, \"max_batch\": 5, \"max_wait_ms\": 50, "
                + fast + "}},"
                + "{\"id\": \"raw\", \"output\": \"kafka\", \"audiences\": [7], \"settings\": {\"topic\": \"raw-deltas\"}}]}";
    }

    private static Set<String> ids(String prefix, long from, long to) {
        return LongStream.rangeClosed(from, to).mapToObj(i -> prefix + i).collect(Collectors.toSet());
    }

    private static Set<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().collect(Collectors.toSet());
    }
}
