package org.audienceengine.connectors.delivery;

import java.util.Locale;

/**
 * The one place where partner responses are classified, so that retry, dead-letter and fault
 * decisions agree across outputs. Partner-specific twists are kept here too rather than in each
 * output: Mailchimp answers throttling with a 403 whose body says so, and a 404 on DELETE means
 * the member is already gone, which is what the DELETE wanted.
 */
public final class ResponseClassifier {

    private ResponseClassifier() {
    }

    /**
     * @param output the output kind ({@code mailchimp}, {@code braze}, {@code webhook})
     * @param status the HTTP status, or 0 when there was no response (network error, timeout)
     * @param body   the response body (may be empty)
     */
    public static Outcome classify(String output, String method, int status, String body) {
        if (status == 0) {
            return Outcome.RETRYABLE;
        }
        if (status >= 200 && status < 300) {
            return Outcome.SUCCESS;
        }
        if (status == 404 && "DELETE".equals(method) && "mailchimp".equals(output)) {
            return Outcome.SUCCESS;
        }
        if (status == 429 || status == 408 || status >= 500) {
            return Outcome.RETRYABLE;
        }
        if (status == 403 && "mailchimp".equals(output) && isThrottle(body)) {
            return Outcome.RETRYABLE;
        }
        if (status == 401 || status == 403) {
            return Outcome.AUTH;
        }
        return Outcome.PERMANENT;
    }

    private static boolean isThrottle(String body) {
        if (body == null) {
            return false;
        }
        String b = body.toLowerCase(Locale.ROOT);
        return b.contains("throttl") || b.contains("too many requests") || b.contains("toomanyrequests");
    }

    /**
     * The wait a {@code Retry-After} header asks for, in ms, or -1 when absent or not in seconds
     * (the HTTP-date form is rare with these partners; the backoff applies instead).
     */
    public static long retryAfterMs(String header) {
        if (header == null || header.isBlank()) {
            return -1;
        }
        try {
            long seconds = Long.parseLong(header.trim());
            return seconds < 0 ? -1 : seconds * 1000;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
