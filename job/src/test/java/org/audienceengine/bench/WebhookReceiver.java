package org.audienceengine.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A partner for the latency benchmark: an HTTP server taking the {@code webhook} output's
 * batches, noting when each delta id first arrived (signatures are the partner simulator's
 * business; here only the time counts).
 */
final class WebhookReceiver implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(4);
    private final Map<String, Long> arrived = new ConcurrentHashMap<>();

    WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", exchange -> {
            long now = System.currentTimeMillis();
            JsonNode body = JSON.readTree(exchange.getRequestBody());
            for (JsonNode profile : body.path("user_profiles")) {
                for (JsonNode a : profile.path("audiences")) {
                    arrived.putIfAbsent(a.path("delta_id").asText(), now);
                }
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.setExecutor(threads);
        server.start();
    }

    /** A connections document sending every audience of 1..audiences to this receiver. */
    String connections(Path dir, int audiences) throws IOException {
        Path secret = Files.writeString(dir.resolve("hook.secret"), "latency-bench-secret");
        StringBuilder ids = new StringBuilder();
        for (int i = 1; i <= audiences; i++) {
            ids.append(i == 1 ? "" : ", ").append(i);
        }
        return "{\"connections\": [{\"id\": \"hook\", \"output\": \"webhook\", \"audiences\": [" + ids
                + "], \"settings\": {\"url\": \"http://127.0.0.1:" + server.getAddress().getPort()
                + "/hook\", \"secret\": {\"file\": \"" + secret + "\"}, \"max_batch\": 100, \"max_wait_ms\": 50}}]}";
    }

    /** When the delta with this id first reached the partner, or null. */
    Long arrivedAt(String deltaId) {
        return arrived.get(deltaId);
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
