package org.audienceengine.connectors.partnersim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** Small helpers over {@link HttpExchange} shared by the simulated partners. */
final class Exchanges {

    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Bodies beyond this are refused: the outputs send at most 75 Braze objects or a webhook
     * batch, so anything this large is a bug worth a loud 413 rather than a slow test.
     */
    static final int MAX_BODY_BYTES = 16 * 1024 * 1024;

    /**
     * Work to do as a response starts, keyed by exchange (HttpExchange attributes are shared
     * across a whole context on JDK 17, so they cannot carry per-request data). Running it
     * before the status line leaves — not after the handler returns — matters: a client that
     * sends its next request as soon as it reads a response must find its concurrency slot free
     * and the counters already showing the response.
     */
    private static final Map<HttpExchange, Consumer<String>> ON_RESPONSE = new ConcurrentHashMap<>();

    private Exchanges() {}

    static void onResponse(HttpExchange ex, Consumer<String> action) {
        ON_RESPONSE.put(ex, action);
    }

    /** Runs the exchange's response work once; {@code status} is a code or {@link Counters#NO_RESPONSE}. */
    static void responding(HttpExchange ex, String status) {
        Consumer<String> action = ON_RESPONSE.remove(ex);
        if (action != null) {
            action.accept(status);
        }
    }

    static boolean responded(HttpExchange ex) {
        return !ON_RESPONSE.containsKey(ex);
    }

    /** Closes the connection without any response, as a crashed or cut-off partner would. */
    static void drop(HttpExchange ex) {
        responding(ex, Counters.NO_RESPONSE);
        // Closing an exchange whose headers were never sent closes its connection outright.
        ex.close();
    }

    /** Thrown when a request body is not what the endpoint accepts; becomes a 400 (or 413). */
    static final class BadRequest extends Exception {
        final int status;

        BadRequest(String message) {
            this(400, message);
        }

        BadRequest(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    static byte[] body(HttpExchange ex) throws IOException, BadRequest {
        try (InputStream in = ex.getRequestBody()) {
            byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
            if (bytes.length > MAX_BODY_BYTES) {
                throw new BadRequest(413, "request body larger than " + MAX_BODY_BYTES + " bytes");
            }
            return bytes;
        }
    }

    static JsonNode parseObject(byte[] body) throws BadRequest {
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (IOException e) {
            throw new BadRequest("request body is not valid JSON: " + firstLine(e));
        }
        if (node == null || !node.isObject()) {
            throw new BadRequest("request body must be a JSON object");
        }
        return node;
    }

    static String bodyText(HttpExchange ex) throws IOException, BadRequest {
        return new String(body(ex), StandardCharsets.UTF_8);
    }

    static void sendJson(HttpExchange ex, int status, JsonNode body) throws IOException {
        sendJson(ex, status, body, "application/json");
    }

    static void sendJson(HttpExchange ex, int status, JsonNode body, String contentType)
            throws IOException {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IOException(e);
        }
        ex.getResponseHeaders().set("Content-Type", contentType + "; charset=utf-8");
        responding(ex, Integer.toString(status));
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    static void sendEmpty(HttpExchange ex, int status) throws IOException {
        responding(ex, Integer.toString(status));
        ex.sendResponseHeaders(status, -1);
        ex.close();
    }

    /** The request path below {@code prefix}, without a trailing slash; "" when equal. */
    static String pathBelow(HttpExchange ex, String prefix) {
        String path = ex.getRequestURI().getPath();
        if (!path.startsWith(prefix)) {
            return null;
        }
        String rest = path.substring(prefix.length());
        while (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        return rest;
    }

    static String firstLine(Exception e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
