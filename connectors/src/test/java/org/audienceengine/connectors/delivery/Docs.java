package org.audienceengine.connectors.delivery;

import org.audienceengine.connectors.partnersim.PartnerSimulator;

import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.List;

/** Connections documents pointing at a simulator, and the secrets they reference. */
final class Docs {

    static final String MC_KEY = "mc-key-us21";
    static final String BRAZE_KEY = "braze-key-0001";
    static final String HOOK_SECRET = "hook-secret-0001";
    static final SecretResolver SECRETS = new SecretResolver(Map.of(
            "MC_KEY", MC_KEY, "BRAZE_KEY", BRAZE_KEY, "HOOK_SECRET", HOOK_SECRET, "WRONG", "not-the-key"));

    private Docs() {
    }

    static PartnerSimulator.Config simConfig() {
        return PartnerSimulator.Config.defaults()
                .mailchimpApiKey(MC_KEY)
                .brazeApiKey(BRAZE_KEY)
                .webhookSecret("hook", HOOK_SECRET);
    }

    static String mailchimp(PartnerSimulator sim, String id, String settings) {
        return "{\"id\":\"" + id + "\",\"output\":\"mailchimp\",\"audiences\":[101,102],\"settings\":{"
                + "\"base_url\":\"" + sim.mailchimpBaseUrl() + "\",\"api_key\":{\"env\":\"MC_KEY\"},\"list_id\":\"L1\""
                + settings + "}}";
    }

    static String braze(PartnerSimulator sim, String id, String settings) {
        return "{\"id\":\"" + id + "\",\"output\":\"braze\",\"audiences\":[101,102],\"settings\":{"
                + "\"base_url\":\"" + sim.brazeBaseUrl() + "\",\"api_key\":{\"env\":\"BRAZE_KEY\"}" + settings + "}}";
    }

    static String webhook(PartnerSimulator sim, String id, String name, String settings) {
        return "{\"id\":\"" + id + "\",\"output\":\"webhook\",\"audiences\":[101,102],\"settings\":{"
                + "\"url\":\"" + sim.webhookUrl(name) + "\",\"secret\":{\"env\":\"HOOK_SECRET\"}" + settings + "}}";
    }

    static String doc(String... connections) {
        StringJoiner j = new StringJoiner(",", "{\"connections\":[", "]}");
        for (String c : connections) {
            j.add(c);
        }
        return j.toString();
    }

    static List<DeliveryResult> await(List<CompletableFuture<DeliveryResult>> futures, long seconds) throws Exception {
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(seconds, TimeUnit.SECONDS);
        return futures.stream().map(CompletableFuture::join).toList();
    }
}
