package org.audienceengine.delivery;

import com.fasterxml.jackson.databind.JsonNode;

import org.audienceengine.connectors.braze.BrazeOutput;
import org.audienceengine.connectors.delivery.PartnerOutput;
import org.audienceengine.connectors.delivery.RateLimiter;
import org.audienceengine.connectors.delivery.SecretResolver;
import org.audienceengine.connectors.mailchimp.MailchimpOutput;
import org.audienceengine.connectors.webhook.WebhookOutput;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Builds the lanes of the partner connections (mailchimp, braze, webhook) of a connections document. */
final class ConnectionLanes {
    static final Set<String> PARTNER_OUTPUTS = Set.of("mailchimp", "braze", "webhook");
    /** The partner counts a request when it arrives, we when it leaves: slack for set-up delays. */
    private static final long RATE_SLACK_MS = 250;

    private ConnectionLanes() {}

    /** One lane per enabled partner connection, with this instance's share of each account limit. */
    static Map<String, ConnectionLane> build(String connectionsJson, SecretResolver secrets, int subtask, int parallelism) {
        Map<String, ConnectionLane> lanes = new LinkedHashMap<>();
        for (Connections.Route r : Connections.parse(connectionsJson).routes()) {
            if (!PARTNER_OUTPUTS.contains(r.output()) || !r.enabled()) {
                continue;
            }
            PartnerOutput output = output(r.id(), r.output(), r.settings(), secrets);
            int concurrency = ConnectionLane.share(output.maxConcurrency(), subtask, parallelism);
            RateLimiter rate = output.requestsPer3s() > 0
                    ? new RateLimiter(ConnectionLane.share(output.requestsPer3s(), subtask, parallelism), 3_000 + RATE_SLACK_MS)
                    : null;
            lanes.put(r.id(), new ConnectionLane(r.id(), r.output(), r.settings(), output, concurrency, rate));
        }
        return lanes;
    }

    /** The output with its secrets resolved now (at open, and again on resume: a rotated key is read anew). */
    static PartnerOutput output(String id, String kind, JsonNode settings, SecretResolver secrets) {
        return switch (kind) {
            case "mailchimp" -> new MailchimpOutput(settings, secrets.resolve(settings.get("api_key"), id + ".api_key"));
            case "braze" -> new BrazeOutput(settings, secrets.resolve(settings.get("api_key"), id + ".api_key"));
            case "webhook" -> new WebhookOutput(settings, secrets.resolve(settings.get("secret"), id + ".secret"));
            default -> throw new IllegalArgumentException("not a partner output: " + kind);
        };
    }
}
