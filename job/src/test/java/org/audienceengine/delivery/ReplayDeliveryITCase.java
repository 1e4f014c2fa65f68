package org.audienceengine.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.audienceengine.cli.CommandLineRun;
import org.audienceengine.connectors.partnersim.PartnerSimulator;
import org.audienceengine.connectors.partnersim.SimulatorState;
import org.audienceengine.testutils.FinalMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code replay --connections}: the sample's audiences pushed to the partner simulator's
 * Mailchimp, Braze and webhook endpoints through a fault mix; when the run ends, partner state
 * equals the engine's membership for every identity each partner accepts.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ReplayDeliveryITCase {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final long UNTIL = 1_777_593_600_000L; // 2026-05-01: memberships still open
    private static final String MAILCHIMP_KEY = "mc-test-key-7f3a";
    private static final String BRAZE_KEY = "braze-test-key-91c2";
    private static final String HOOK_SECRET = "hook-test-secret-55d0";

    @TempDir
    Path dir;

    @Test
    void partnerStateEqualsEngineMembershipAfterAFaultyRun() throws Exception {
        try (PartnerSimulator sim = PartnerSimulator.start(PartnerSimulator.Config.defaults()
                .mailchimpApiKey(MAILCHIMP_KEY).brazeApiKey(BRAZE_KEY).webhookSecret("hook", HOOK_SECRET)
                .faults("5xx=0.10,429=0.05,timeout=0.02,seed=7,slow_ms=1000"))) {
            Path connections = connections(sim);
            Path out = dir.resolve("out");
            CommandLineRun run = CommandLineRun.of("replay", "--events", "../conf/sample/events.jsonl",
                    "--audiences", "../conf/audiences.json", "--connections", connections.toString(),
                    "--until", Long.toString(UNTIL), "--parallelism", "2", "--out", out.toString());
            assertThat(run.exitCode()).as(run.err()).isZero();

            Map<Integer, Map<Long, JsonNode>> members = finalMembers(out);
            SimulatorState state = sim.state();
            assertThat(state.faults("5xx") + state.faults("429") + state.faults("timeout")).isPositive();

            Set<String> expectedEmails = new HashSet<>();
            members.getOrDefault(110, Map.of()).values().forEach(d -> {
                String email = d.path("identities").path("email").asText(null);
                if (email != null) {
                    expectedEmails.add(email.trim().toLowerCase(java.util.Locale.ROOT));
                }
            });
            assertThat(expectedEmails).isNotEmpty();
            assertThat(state.mailchimpSubscribed("list-110")).isEqualTo(expectedEmails);

            Set<String> expectedBraze = new HashSet<>();
            members.getOrDefault(102, Map.of()).values().forEach(d -> {
                String customerId = d.path("identities").path("customer_id").asText(null);
                if (customerId != null) {
                    expectedBraze.add(customerId);
                }
            });
            assertThat(expectedBraze).isNotEmpty();
            Set<String> inSegment = new HashSet<>();
            for (String user : state.brazeUsers()) {
                if (state.brazeSegments(user).contains("102")) {
                    inSegment.add(user);
                }
            }
            assertThat(inSegment).isEqualTo(expectedBraze);

            assertThat(state.webhookMembers("hook", 107)).isEqualTo(members.getOrDefault(107, Map.of()).keySet());
            assertThat(state.webhookCount("hook", "out_of_order")).isZero();
            assertThat(Files.readAllLines(out.resolve("delivery-dlq.jsonl"))).isEmpty();

            // No secret reaches any output of the run.
            for (Path file : List.of(out.resolve("deltas.jsonl"), out.resolve("summary.json"), out.resolve("delivery-dlq.jsonl"))) {
                String text = Files.readString(file);
                assertThat(text).doesNotContain(MAILCHIMP_KEY).doesNotContain(BRAZE_KEY).doesNotContain(HOOK_SECRET);
            }
            assertThat(run.out() + run.err()).doesNotContain(MAILCHIMP_KEY).doesNotContain(HOOK_SECRET);
        }
    }

    @Test
    void anIdentityChangeMovesTheMemberToTheNewAddressAtThePartner() throws Exception {
        long t0 = 1_767_225_600_000L;
        Path events = Files.write(dir.resolve("events.jsonl"), List.of(
                profile(1, t0, "Old.Address@example.com"), profile(2, t0, "other@example.com"),
                profile(1, t0 + 60_000, "new.address@example.com")));
        Path audiences = Files.writeString(dir.resolve("audiences.json"), """
                {"audiences": [{"id": 9, "name": "pro", "criteria": {"user_attribute": {"name": "plan", "op": "equals", "value": "pro"}}}]}""");
        try (PartnerSimulator sim = PartnerSimulator.start(PartnerSimulator.Config.defaults().mailchimpApiKey(MAILCHIMP_KEY))) {
            Path mc = Files.writeString(dir.resolve("mc.secret"), MAILCHIMP_KEY);
            Path files = dir.resolve("raw");
            Path connections = Files.writeString(dir.resolve("connections.json"),
                    "{\"connections\": [{\"id\": \"mc\", \"output\": \"mailchimp\", \"audiences\": [9], \"settings\": {"
                            + "\"base_url\": \"" + sim.mailchimpBaseUrl() + "\", \"api_key\": {\"file\": \"" + mc + "\"},"
                            + " \"list_id\": \"l9\"}},"
                            + " {\"id\": \"raw\", \"output\": \"file\", \"audiences\": [9], \"settings\": {\"path\": \"" + files + "\"}}]}");
            CommandLineRun run = CommandLineRun.of("replay", "--events", events.toString(), "--audiences", audiences.toString(),
                    "--connections", connections.toString(), "--until", Long.toString(t0 + 120_000),
                    "--out", dir.resolve("out").toString());
            assertThat(run.exitCode()).as(run.err()).isZero();
            List<String> deltas = Files.readAllLines(dir.resolve("out").resolve("deltas.jsonl"));
            assertThat(deltas).anyMatch(l -> l.contains("\"reason\":\"identity_change\"") && l.contains("\"action\":\"remove\""));
            // The old address was deleted from the list, the new one added (emails lower-cased).
            assertThat(sim.state().mailchimpSubscribed("l9"))
                    .containsExactlyInAnyOrder("new.address@example.com", "other@example.com");
            assertThat(sim.state().mailchimpMembers("l9")).doesNotContainKey("old.address@example.com");
            // The file output holds the raw deltas, each once.
            List<String> raw = new ArrayList<>();
            try (var parts = Files.list(files)) {
                for (Path part : parts.filter(p -> p.getFileName().toString().startsWith("raw-")).toList()) {
                    raw.addAll(Files.readAllLines(part));
                }
            }
            assertThat(raw.stream().map(l -> l.replaceAll("\\s", "")).toList())
                    .containsExactlyInAnyOrderElementsOf(deltas.stream().map(l -> l.replaceAll("\\s", "")).toList());
            assertThat(run.out()).contains("delivery:").containsPattern("mc\\s+4\\s+4\\s+0\\s+0\\s+0\\s+0\\s+ok")
                    .contains("delivery-dlq.jsonl");
        }
    }

    @Test
    void aFaultedConnectionEndsTheRunHoldingItsMembers() throws Exception {
        long t0 = 1_767_225_600_000L;
        Path events = Files.write(dir.resolve("events.jsonl"), List.of(
                profile(1, t0, "a@example.com"), profile(2, t0, "b@example.com"), profile(3, t0, "c@example.com")));
        Path audiences = Files.writeString(dir.resolve("audiences.json"), """
                {"audiences": [{"id": 9, "name": "pro", "criteria": {"user_attribute": {"name": "plan", "op": "equals", "value": "pro"}}}]}""");
        try (PartnerSimulator sim = PartnerSimulator.start(PartnerSimulator.Config.defaults().mailchimpApiKey(MAILCHIMP_KEY))) {
            Path wrong = Files.writeString(dir.resolve("mc.secret"), "an-expired-key");
            Path connections = Files.writeString(dir.resolve("connections.json"),
                    "{\"connections\": [{\"id\": \"mc\", \"output\": \"mailchimp\", \"audiences\": [9], \"settings\": {"
                            + "\"base_url\": \"" + sim.mailchimpBaseUrl() + "\", \"api_key\": {\"file\": \"" + wrong + "\"},"
                            + " \"list_id\": \"l9\", \"max_concurrency\": 1}}]}");
            CommandLineRun run = CommandLineRun.of("replay", "--events", events.toString(), "--audiences", audiences.toString(),
                    "--connections", connections.toString(), "--until", Long.toString(t0 + 1), "--out", dir.resolve("out").toString());
            assertThat(run.exitCode()).as(run.err()).isZero();
            // One refused call faults the connection; the other two members are held, not retried.
            assertThat(run.out()).containsPattern("mc\\s+0\\s+1\\s+0\\s+0\\s+0\\s+3\\s+faulted");
            assertThat(sim.state().requests("mailchimp_member_put")).isEqualTo(1);
            JsonNode summary = MAPPER.readTree(dir.resolve("out").resolve("summary.json").toFile());
            assertThat(summary.path("delivery").path("mc").path("held").asLong()).isEqualTo(3);
            assertThat(summary.path("delivery").path("mc").path("faulted").asBoolean()).isTrue();
        }
    }

    private static String profile(long mpid, long time, String email) {
        return "{\"mpid\": " + mpid + ", \"environment\": \"production\", \"timestamp_unixtime_ms\": " + time + ", \"user_identities\": {\"email\": \""
                + email + "\"}, \"user_attributes\": {\"plan\": \"pro\"}}";
    }

    private Path connections(PartnerSimulator sim) throws IOException {
        Path mc = Files.writeString(dir.resolve("mc.secret"), MAILCHIMP_KEY);
        Path braze = Files.writeString(dir.resolve("braze.secret"), BRAZE_KEY);
        Path hook = Files.writeString(dir.resolve("hook.secret"), HOOK_SECRET);
        String retries = "\"timeout_ms\": 300, \"initial_backoff_ms\": 20, \"max_backoff_ms\": 200, \"max_attempts\": 30";
        String json = "{\"connections\": ["
                + "{\"id\": \"mc\", \"output\": \"mailchimp\", \"audiences\": [110], \"settings\": {\"base_url\": \""
                + sim.mailchimpBaseUrl() + "\", \"api_key\": {\"file\": \"" + mc + "\"}, \"list_id\": \"list-110\", " + retries + "}},"
                + "{\"id\": \"braze\", \"output\": \"braze\", \"audiences\": [102], \"settings\": {\"base_url\": \""
                + sim.brazeBaseUrl() + "\", \"api_key\": {\"file\": \"" + braze + "\"}, \"max_wait_ms\": 50, " + retries + "}},"
                + "{\"id\": \"hook\", \"output\": \"webhook\", \"audiences\": [107], \"settings\": {\"url\": \""
                + sim.webhookUrl("hook") + "\", \"secret\": {\"file\": \"" + hook + "\"}, \"max_batch\": 20, \"max_wait_ms\": 50, "
                + retries + "}}]}";
        return Files.writeString(dir.resolve("connections.json"), json);
    }

    private static Map<Integer, Map<Long, JsonNode>> finalMembers(Path out) throws IOException {
        return FinalMembers.of(Files.readAllLines(out.resolve("deltas.jsonl")));
    }
}
