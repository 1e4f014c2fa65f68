package org.audienceengine.connectors.delivery;

import org.asynchttpclient.AsyncHttpClient;
import org.asynchttpclient.BoundRequestBuilder;
import org.asynchttpclient.DefaultAsyncHttpClientConfig;
import org.asynchttpclient.Dsl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP client of one engine: non-blocking, so one operator instance keeps many calls in
 * flight without a thread each. It never retries or follows redirects by itself: every retry
 * decision is the engine's, counted against the connection's limits.
 */
public final class HttpTransport implements AutoCloseable {

    /** A partner's answer; {@code status} 0 means none (network error or timeout), see {@code error}. */
    public record Reply(int status, String body, String retryAfter, String error) {}

    private final AsyncHttpClient client;

    public HttpTransport(long longestTimeoutMs) {
        AtomicInteger n = new AtomicInteger();
        DefaultAsyncHttpClientConfig.Builder config = Dsl.config()
                .setMaxRequestRetry(0)
                .setFollowRedirect(false)
                .setCookieStore(null)
                .setKeepAlive(true)
                .setConnectTimeout(Duration.ofMillis(Math.min(longestTimeoutMs, 10_000)))
                .setReadTimeout(Duration.ofMillis(longestTimeoutMs + 1_000))
                .setRequestTimeout(Duration.ofMillis(longestTimeoutMs))
                .setThreadFactory(r -> {
                    Thread t = new Thread(r, "partner-delivery-io-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.client = Dsl.asyncHttpClient(config);
    }

    /** Never completes exceptionally: failures come back as a {@link Reply} with status 0. */
    public CompletableFuture<Reply> send(PartnerRequest request, long timeoutMs) {
        CompletableFuture<Reply> out = new CompletableFuture<>();
        try {
            BoundRequestBuilder b = client.prepare(request.method(), request.url())
                    .setRequestTimeout(Duration.ofMillis(timeoutMs));
            request.headers().forEach(b::setHeader);
            request.credentialHeaders().forEach(b::setHeader);
            if (request.body() != null) {
                b.setBody(request.body());
            }
            b.execute().toCompletableFuture().whenComplete((response, error) -> {
                if (error != null) {
                    out.complete(new Reply(0, "", null, describe(error)));
                } else {
                    out.complete(new Reply(response.getStatusCode(), response.getResponseBody(StandardCharsets.UTF_8),
                            response.getHeader("Retry-After"), null));
                }
            });
        } catch (RuntimeException e) {
            out.complete(new Reply(0, "", null, describe(e)));
        }
        return out;
    }

    /** The error's kind and first message line: enough to tell a timeout from a refused connection. */
    private static String describe(Throwable error) {
        Throwable t = error;
        while (t.getCause() != null && !(t instanceof IOException) && t != t.getCause()) {
            t = t.getCause();
        }
        String message = t.getMessage() == null ? "" : t.getMessage().lines().findFirst().orElse("");
        return t.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (IOException e) {
            // closing an HTTP client has nothing left to save
        }
    }
}
