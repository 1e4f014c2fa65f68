package org.audienceengine.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.audienceengine.cli.CommandLineRun;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import org.audienceengine.connectors.partnersim.PartnerSimulator;
import org.audienceengine.kafka.EmbeddedKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A permanent failure (the partner does not know the webhook: 404) dead-letters the calls with a
 * redacted record and the run goes on; once the partner is fixed, {@code redrive} delivers them.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RedriveITCase {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String SECRET = "redrive-secret-c41f";
    private static final long T0 = 1_767_225_600_000L;

    @TempDir
    Path dir;

    @Test
    void deadLettersAreRedactedAndRedrivenAfterTheFix() throws Exception {
        Path events = Files.write(dir.resolve("events.jsonl"), List.of(
                batch(1, "pro"), batch(2, "pro"), batch(3, "free"), batch(4, "pro")));
        Path audiences = Files.writeString(dir.resolve("audiences.json"), """
                {"audiences": [{"id": 5, "name": "pro", "criteria": {"user_attribute": {"name": "plan", "op": "equals", "value": "pro"}}}]}""");
        Path secret = Files.writeString(dir.resolve("hook.secret"), SECRET);
        int port;
        Path connections;
        Path out = dir.resolve("out");
        // A partner that knows no webhook named "hook": every call is a permanent 404.
        try (PartnerSimulator broken = PartnerSimulator.start(PartnerSimulator.Config.defaults())) {
            port = broken.port();
            connections = Files.writeString(dir.resolve("connections.json"),
                    "{\"connections\": [{\"id\": \"hook\", \"output\": \"webhook\", \"audiences\": [5], \"settings\": {"
                            + "\"url\": \"" + broken.webhookUrl("hook") + "\", \"secret\": {\"file\": \"" + secret + "\"},"
                            + " \"max_batch\": 1, \"max_wait_ms\": 10}}]}");
            CommandLineRun run = CommandLineRun.of("replay", "--events", events.toString(), "--audiences", audiences.toString(),
                    "--connections", connections.toString(), "--until", Long.toString(T0 + 1), "--out", out.toString());
            assertThat(run.exitCode()).as(run.err()).isZero();
        }
        List<String> letters = Files.readAllLines(out.resolve("delivery-dlq.jsonl"));
        assertThat(letters).hasSize(3);
        List<String> deltaIds = new ArrayList<>();
        for (String line : letters) {
            JsonNode letter = MAPPER.readTree(line);
            assertThat(letter.get("last_status").asInt()).isEqualTo(404);
            assertThat(letter.get("request").get("method").asText()).isEqualTo("POST");
            assertThat(letter.get("request").get("body").asText()).contains("\"action\":\"add\"");
            letter.get("delta_ids").forEach(d -> deltaIds.add(d.asText()));
            assertThat(line).doesNotContain(SECRET).doesNotContain("X-Signature");
        }
        assertThat(deltaIds).hasSize(3);

        // The partner is fixed (it knows the webhook now), on the same address.
        try (PartnerSimulator fixed = PartnerSimulator.start(PartnerSimulator.Config.defaults()
                .port(port).webhookSecret("hook", SECRET))) {
            CommandLineRun redrive = CommandLineRun.of("redrive", "--dlq", out.resolve("delivery-dlq.jsonl").toString(),
                    "--connections", connections.toString());
            assertThat(redrive.exitCode()).as(redrive.out() + redrive.err()).isZero();
            assertThat(redrive.out()).contains("3 delivered, 0 failed").contains("3 requests delivered, 0 failed (3 deltas)")
                    .doesNotContain(SECRET).doesNotContain(deltaIds.get(0));
            assertThat(fixed.state().webhookMembers("hook", 5)).isEqualTo(Set.of(1L, 2L, 4L));

            // The same dead letters from the delivery-dlq topic: sent again with the same
            // Idempotency-Keys, so the partner counts them as duplicates and applies nothing twice.
            try (EmbeddedKafka kafka = EmbeddedKafka.start();
                    KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                            new StringSerializer(), new StringSerializer())) {
                kafka.createTopics(1, "delivery-dlq");
                for (String letter : letters) {
                    producer.send(new ProducerRecord<>("delivery-dlq", letter)).get();
                }
                CommandLineRun fromTopic = CommandLineRun.of("redrive", "--dlq", "delivery-dlq",
                        "--kafka", kafka.bootstrapServers(), "--connections", connections.toString());
                assertThat(fromTopic.exitCode()).as(fromTopic.out() + fromTopic.err()).isZero();
                assertThat(fromTopic.out()).contains("3 delivered, 0 failed");
                assertThat(fixed.state().duplicates()).isEqualTo(3);
                assertThat(fixed.state().webhookMembers("hook", 5)).isEqualTo(Set.of(1L, 2L, 4L));
            }
        }
    }

    private static String batch(long mpid, String plan) {
        return "{\"mpid\": " + mpid + ", \"environment\": \"production\", \"timestamp_unixtime_ms\": " + T0 + ", \"user_attributes\": {\"plan\": \"" + plan + "\"}}";
    }
}
