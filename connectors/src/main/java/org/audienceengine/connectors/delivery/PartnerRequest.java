package org.audienceengine.connectors.delivery;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One HTTP call to a partner, built once per batch and sent unchanged on every retry (so a
 * webhook's body, signature and Idempotency-Key stay the same). Headers that carry credentials
 * are kept apart from the others so that nothing derived from a request (a dead letter, a log
 * line) can include them.
 */
public final class PartnerRequest {

    private final String method;
    private final String url;
    private final Map<String, String> headers;
    private final Map<String, String> credentialHeaders;
    private final byte[] body;

    public PartnerRequest(String method, String url, Map<String, String> headers,
                          Map<String, String> credentialHeaders, byte[] body) {
        this.method = method;
        this.url = url;
        this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        this.credentialHeaders = Collections.unmodifiableMap(new LinkedHashMap<>(credentialHeaders));
        this.body = body;
    }

    public String method() {
        return method;
    }

    public String url() {
        return url;
    }

    /** Headers safe to record (content type, Idempotency-Key, X-Signature). */
    public Map<String, String> headers() {
        return headers;
    }

    /** Headers carrying credentials (Authorization): sent, never recorded. */
    public Map<String, String> credentialHeaders() {
        return credentialHeaders;
    }

    /** The body bytes, or null for none. */
    public byte[] body() {
        return body;
    }

    public String bodyText() {
        return body == null ? "" : new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return method + " " + url;
    }
}
