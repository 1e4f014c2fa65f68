package org.audienceengine.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.audienceengine.connectors.partnersim.PartnerSimulator;
import org.audienceengine.connectors.partnersim.SimulatorState;
import org.audienceengine.delivery.DeliverySummary;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The partners of a local run: the bundled simulator on loopback, and the sample connections
 * pointed at it. Credentials are made up per run and handed over as secret files (the
 * connections keep referring to secrets, never holding them). At the end, partner state is
 * compared with the engine's membership from the deltas.
 */
public final class LocalPartners implements AutoCloseable {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final PartnerSimulator sim;
    private final String connectionsJson;
    private final JsonNode connections;

    private LocalPartners(PartnerSimulator sim, String connectionsJson) throws IOException {
        this.sim = sim;
        this.connectionsJson = connectionsJson;
        this.connections = MAPPER.readTree(connectionsJson).path("connections");
    }

    /** Starts the simulator and rewrites {@code connectionsJson} to use it. */
    public static LocalPartners start(String connectionsJson, Path secretsDir) throws IOException {
        Files.createDirectories(secretsDir);
        String mailchimpKey = random();
        String brazeKey = random();
        String webhookSecret = random();
        PartnerSimulator sim = PartnerSimulator.start(PartnerSimulator.Config.defaults()
                .mailchimpApiKey(mailchimpKey).brazeApiKey(brazeKey).defaultWebhookSecret(webhookSecret));
        ObjectNode root = (ObjectNode) MAPPER.readTree(connectionsJson);
        for (JsonNode c : root.path("connections")) {
            ObjectNode settings = (ObjectNode) c.path("settings");
            String id = c.path("id").asText();
            switch (c.path("output").asText()) {
                case "mailchimp" -> {
                    settings.put("base_url", sim.mailchimpBaseUrl());
                    settings.set("api_key", secretFile(secretsDir, id, mailchimpKey));
                }
                case "braze" -> {
                    settings.put("base_url", sim.brazeBaseUrl());
                    settings.set("api_key", secretFile(secretsDir, id, brazeKey));
                }
                case "webhook" -> {
                    settings.put("url", sim.webhookUrl(id));
                    settings.set("secret", secretFile(secretsDir, id, webhookSecret));
                }
                default -> { }
            }
        }
        return new LocalPartners(sim, root.toString());
    }

    public String connectionsJson() {
        return connectionsJson;
    }

    public String baseUrl() {
        return sim.baseUrl();
    }

    /** Per connection: {partner count, engine count, differing identities}. */
    public Map<String, long[]> compare(Path deltasFile) throws IOException {
        Map<String, JsonNode> last = lastDeltas(deltasFile);
        SimulatorState state = sim.state();
        Map<String, long[]> out = new LinkedHashMap<>();
        for (JsonNode c : connections) {
            String id = c.path("id").asText();
            Set<Integer> audiences = new HashSet<>();
            c.path("audiences").forEach(a -> audiences.add(a.asInt()));
            String environment = c.path("environment").asText(null);
            Set<String> engine = new HashSet<>();
            Set<String> partner = new HashSet<>();
            String output = c.path("output").asText();
            for (JsonNode d : last.values()) {
                if (!audiences.contains(d.path("audience_id").asInt())
                        || (environment != null && !environment.equals(d.path("environment").asText()))
                        || !"add".equals(d.path("action").asText())) {
                    continue;
                }
                String key = switch (output) {
                    case "mailchimp" -> lower(d.path("identities").path("email").asText(null));
                    case "braze" -> d.path("identities").path("customer_id").isMissingNode()
                            ? null : d.path("audience_id").asText() + "/" + d.path("identities").path("customer_id").asText();
                    default -> d.path("audience_id").asText() + "/" + d.path("mpid").asText();
                };
                if (key != null) {
                    engine.add(key);
                }
            }
            switch (output) {
                case "mailchimp" -> partner.addAll(state.mailchimpSubscribed(c.path("settings").path("list_id").asText()));
                case "braze" -> state.brazeUsers().forEach(u -> state.brazeSegments(u).forEach(s -> {
                    if (audiences.contains(Integer.parseInt(s))) {
                        partner.add(s + "/" + u);
                    }
                }));
                case "webhook" -> audiences.forEach(a -> state.webhookMembers(id, a).forEach(m -> partner.add(a + "/" + m)));
                default -> { }
            }
            Set<String> differing = new HashSet<>(engine);
            differing.addAll(partner);
            Set<String> both = new HashSet<>(engine);
            both.retainAll(partner);
            differing.removeAll(both);
            out.put(id, new long[] {partner.size(), engine.size(), differing.size()});
        }
        return out;
    }

    /**
     * Gives deliveries in flight and the last checkpoint's deltas a moment to land (up to 30 s),
     * then compares; null when the deltas cannot be read.
     */
    public Map<String, long[]> settle(Path deltasFile) {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
        try {
            Map<String, long[]> comparison = compare(deltasFile);
            while (!allEqual(comparison) && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(java.time.Duration.ofMillis(500).toNanos());
                comparison = compare(deltasFile);
            }
            return comparison;
        } catch (IOException e) {
            System.err.println("local: cannot compare partner state: " + e.getMessage());
            return null;
        }
    }

    /** What delivery did (from the job's accumulators), then partner state against the engine's. */
    public static void printDelivery(PrintStream out, Map<String, Object> accumulators, Map<String, long[]> comparison) {
        out.println();
        out.println("Delivery, per connection:");
        DeliverySummary.of(accumulators).lines().forEach(out::println);
        out.println();
        out.println("Partner state (simulator) against engine membership, per connection:");
        printComparison(out, comparison);
    }

    public static void printComparison(PrintStream out, Map<String, long[]> comparison) {
        out.printf("%-20s %10s %10s  %s%n", "connection", "partner", "engine", "state");
        comparison.forEach((id, c) -> out.printf("%-20s %10d %10d  %s%n", id, c[0], c[1],
                c[2] == 0 ? "equal" : c[2] + " identities differ (deliveries still in flight?)"));
    }

    public static boolean allEqual(Map<String, long[]> comparison) {
        return comparison.values().stream().allMatch(c -> c[2] == 0);
    }

    @Override
    public void close() {
        sim.close();
    }

    /** The last delta per (audience, mpid), in file order. */
    private static Map<String, JsonNode> lastDeltas(Path deltasFile) throws IOException {
        Map<String, JsonNode> last = new HashMap<>();
        if (!Files.exists(deltasFile)) {
            return last;
        }
        List<String> lines = new ArrayList<>(Files.readAllLines(deltasFile));
        for (String line : lines) {
            if (!line.isBlank()) {
                JsonNode d = MAPPER.readTree(line);
                String key = d.path("audience_id").asText() + ":" + d.path("mpid").asText();
                JsonNode previous = last.get(key);
                if (previous == null || previous.path("seq").asLong() < d.path("seq").asLong()
                        || previous.path("profile_created_at").asLong() < d.path("profile_created_at").asLong()) {
                    last.put(key, d);
                }
            }
        }
        return last;
    }

    private static String lower(String email) {
        return email == null ? null : email.trim().toLowerCase(Locale.ROOT);
    }

    private static ObjectNode secretFile(Path dir, String connectionId, String value) throws IOException {
        Path file = dir.resolve(connectionId + ".secret");
        Files.writeString(file, value);
        return MAPPER.createObjectNode().put("file", file.toAbsolutePath().toString());
    }

    private static String random() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
