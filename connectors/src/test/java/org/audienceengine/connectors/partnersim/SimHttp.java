package org.audienceengine.connectors.partnersim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;

/** A real HTTP client for the simulator, with request builders for each partner. */
final class SimHttp {

    static final ObjectMapper JSON = new ObjectMapper();

    final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final String base;

    SimHttp(PartnerSimulator sim) {
        this.base = sim.baseUrl();
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    CompletableFuture<HttpResponse<String>> sendAsync(HttpRequest request) {
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
    }

    // Mailchimp

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    static String memberPath(String list, String email) {
        return "/mailchimp/3.0/lists/" + list + "/members/" + MailchimpApi.md5Hex(email.toLowerCase());
    }

    static String memberBody(String email, String status) {
        return "{\"email_address\":\"" + email + "\",\"status_if_new\":\"" + status + "\",\"status\":\"" + status + "\"}";
    }

    HttpRequest mailchimpPut(String key, String list, String email, String status) {
        return request(memberPath(list, email))
                .header("Authorization", basic("anystring", key))
                .PUT(HttpRequest.BodyPublishers.ofString(memberBody(email, status)))
                .build();
    }

    HttpRequest mailchimpDelete(String key, String list, String email) {
        return request(memberPath(list, email)).header("Authorization", basic("u", key)).DELETE().build();
    }

    HttpRequest mailchimpGet(String key, String list, String email) {
        return request(memberPath(list, email)).header("Authorization", basic("u", key)).GET().build();
    }

    // Braze

    HttpRequest brazeTrack(String key, String body) {
        return request("/braze/users/track")
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    // Webhook

    HttpRequest webhook(String name, String secret, String body, String idempotencyKey) {
        HttpRequest.Builder b = request("/webhook/" + name)
                .header("Content-Type", "application/json")
                .header("X-Signature", WebhookApi.signature(secret, body.getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (idempotencyKey != null) {
            b.header("Idempotency-Key", idempotencyKey);
        }
        return b.build();
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
