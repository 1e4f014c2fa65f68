package org.audienceengine.connectors.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.audienceengine.connectors.braze.BrazeOutput;
import org.audienceengine.connectors.mailchimp.MailchimpOutput;
import org.audienceengine.connectors.webhook.WebhookOutput;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * Delivers audience changes to the partner connections of a connections document
 * (connections.md): one instance per parallel operator instance, holding every enabled
 * {@code mailchimp}, {@code braze} and {@code webhook} connection. Plain Java, so that a Flink
 * async function can own one and call {@link #submit} from {@code asyncInvoke}.
 *
 * <p>A submitted change's future completes once its fate is known: delivered, skipped or
 * dead-lettered. While its connection is faulted the future stays incomplete, so the change
 * stays in the async operator's checkpointed state until {@link #resume} lets it go out.
 */
public final class PartnerDelivery implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> PARTNERS = Set.of("mailchimp", "braze", "webhook");

    /** A parsed connection; the HTTP client needs every connection's timeout before any dispatcher exists. */
    private record Parsed(PartnerOutput output, RetryPolicy policy, Set<Long> audiences, String environment) {}

    private final Map<String, ConnectionDispatcher> connections = new LinkedHashMap<>();
    private final HttpTransport http;
    private final ScheduledExecutorService scheduler;

    public PartnerDelivery(String connectionsJson, SecretResolver secrets) {
        this(connectionsJson, secrets, DeliveryListener.NONE);
    }

    /**
     * @param connectionsJson a connections document, already validated
     * @param secrets         resolves {@code api_key} / {@code secret} references, once, here
     */
    public PartnerDelivery(String connectionsJson, SecretResolver secrets, DeliveryListener listener) {
        JsonNode root;
        try {
            root = JSON.readTree(connectionsJson);
        } catch (IOException e) {
            throw new UncheckedIOException("the connections document is not valid JSON", e);
        }
        Map<String, Parsed> parsed = new LinkedHashMap<>();
        long longestTimeout = 1_000;
        for (JsonNode c : root.path("connections")) {
            String kind = c.path("output").asText();
            if (!PARTNERS.contains(kind) || !c.path("enabled").asBoolean(true)) {
                continue;
            }
            String id = c.path("id").asText();
            JsonNode settings = c.path("settings");
            PartnerOutput output = switch (kind) {
                case "mailchimp" -> new MailchimpOutput(settings, secrets.resolve(settings.get("api_key"), id + ".api_key"));
                case "braze" -> new BrazeOutput(settings, secrets.resolve(settings.get("api_key"), id + ".api_key"));
                default -> new WebhookOutput(settings, secrets.resolve(settings.get("secret"), id + ".secret"));
            };
            RetryPolicy policy = RetryPolicy.from(settings);
            longestTimeout = Math.max(longestTimeout, policy.timeoutMs());
            Set<Long> audiences = new HashSet<>();
            c.path("audiences").forEach(a -> audiences.add(a.asLong()));
            String env = c.hasNonNull("environment") ? c.get("environment").asText() : null;
            parsed.put(id, new Parsed(output, policy, audiences, env));
        }
        this.http = new HttpTransport(longestTimeout);
        ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "partner-delivery-timer");
            t.setDaemon(true);
            return t;
        });
        s.setRemoveOnCancelPolicy(true);
        this.scheduler = Executors.unconfigurableScheduledExecutorService(s);
        parsed.forEach((id, p) -> connections.put(id, new ConnectionDispatcher(id, p.output(), p.policy(),
                p.audiences(), p.environment(), http, scheduler, listener)));
    }

    /** The partner connections this engine delivers to (enabled mailchimp, braze and webhook ones). */
    public Set<String> connectionIds() {
        return Collections.unmodifiableSet(connections.keySet());
    }

    public boolean handles(String connectionId) {
        return connections.containsKey(connectionId);
    }

    /**
     * Queues one change for its connection ({@link AudienceChange#connectionId}). Never blocks on
     * the partner. Fails (the future, not the call) for a connection this engine does not handle.
     */
    public CompletableFuture<DeliveryResult> submit(AudienceChange change) {
        ConnectionDispatcher d = change == null ? null : connections.get(change.connectionId);
        if (d == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "no partner connection " + (change == null ? null : change.connectionId)));
        }
        return d.submit(change);
    }

    public boolean isFaulted(String connectionId) {
        return dispatcher(connectionId).isFaulted();
    }

    /** Lifts the fault state: held changes go out, in order, with a fresh retry budget. */
    public void resume(String connectionId) {
        dispatcher(connectionId).resume();
    }

    /** Unmatched (skipped) changes per connection id. */
    public Map<String, Long> unmatchedCounts() {
        Map<String, Long> out = new TreeMap<>();
        connections.forEach((id, d) -> out.put(id, d.unmatched()));
        return out;
    }

    public ConnectionStats stats(String connectionId) {
        return dispatcher(connectionId).stats();
    }

    private ConnectionDispatcher dispatcher(String connectionId) {
        ConnectionDispatcher d = connections.get(connectionId);
        if (d == null) {
            throw new IllegalArgumentException("no partner connection " + connectionId);
        }
        return d;
    }

    /**
     * Stops sending and frees the HTTP client and timer. Futures of changes not yet delivered are
     * left incomplete: on cancellation Flink restores them from its state, and failing them here
     * would only add noise to a shutdown.
     */
    @Override
    public void close() {
        connections.values().forEach(ConnectionDispatcher::close);
        scheduler.shutdownNow();
        http.close();
    }

    @Override
    public String toString() {
        return "PartnerDelivery" + connections.keySet();
    }
}
