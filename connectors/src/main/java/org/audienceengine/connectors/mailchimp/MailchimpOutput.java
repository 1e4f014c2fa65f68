package org.audienceengine.connectors.mailchimp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.audienceengine.connectors.delivery.AudienceChange;
import org.audienceengine.connectors.delivery.PartnerOutput;
import org.audienceengine.connectors.delivery.PartnerRequest;
import org.audienceengine.connectors.delivery.Secret;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code mailchimp} output: list members of one list, upserted by PUT and removed by DELETE
 * (or PUT {@code unsubscribed}), one member per request.
 *
 * <p>The member key is the email's MD5, not (audience, member): every audience of the connection
 * writes the same list member, which is subscribed while the user is in any of them.
 */
public final class MailchimpOutput implements PartnerOutput {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final String listId;
    private final boolean doubleOptIn;
    private final boolean deleteOnEnd;
    private final int maxConcurrency;
    private final Secret apiKey;
    private final String authorization;

    public MailchimpOutput(JsonNode settings, Secret apiKey) {
        this.baseUrl = stripSlash(settings.path("base_url").asText());
        this.listId = settings.path("list_id").asText();
        this.doubleOptIn = settings.path("double_opt_in").asBoolean(false);
        this.deleteOnEnd = settings.path("delete_on_subscription_end").asBoolean(true);
        this.maxConcurrency = settings.path("max_concurrency").asInt(10);
        this.apiKey = apiKey;
        // Mailchimp ignores the user name of Basic auth; the key is the password.
        this.authorization = "Basic " + Base64.getEncoder()
                .encodeToString(("audience-engine:" + apiKey.reveal()).getBytes(StandardCharsets.UTF_8));
    }

    /** The identity Mailchimp keys members by: the email, trimmed and lower-cased; null if none. */
    public static String normalizedEmail(AudienceChange change) {
        String email = change.identity("email");
        if (email == null) {
            return null;
        }
        String e = email.trim().toLowerCase(Locale.ROOT);
        return e.isEmpty() ? null : e;
    }

    /** Mailchimp's subscriber hash: hex MD5 of the lower-cased email. */
    public static String subscriberHash(String normalizedEmail) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            return HexFormat.of().formatHex(md5.digest(normalizedEmail.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is missing from the JDK", e);
        }
    }

    @Override
    public String kind() {
        return "mailchimp";
    }

    @Override
    public String orderingKey(AudienceChange change) {
        String email = normalizedEmail(change);
        return email == null ? null : subscriberHash(email);
    }

    @Override
    public boolean unionOfAudiences() {
        return true;
    }

    @Override
    public int maxBatch() {
        return 1;
    }

    @Override
    public long maxWaitMs() {
        return 0;
    }

    @Override
    public int maxConcurrency() {
        return maxConcurrency;
    }

    @Override
    public int requestsPer3s() {
        return 0;
    }

    @Override
    public PartnerRequest request(List<AudienceChange> batch) {
        if (batch.size() != 1) {
            throw new IllegalArgumentException("mailchimp sends one member per request");
        }
        AudienceChange change = batch.get(0);
        String email = normalizedEmail(change);
        if (email == null) {
            throw new IllegalArgumentException("change " + change.deltaId + " has no email");
        }
        String url = baseUrl + "/lists/" + listId + "/members/" + subscriberHash(email);
        Map<String, String> auth = Map.of("Authorization", authorization);
        if (!change.isAdd() && deleteOnEnd) {
            return new PartnerRequest("DELETE", url, Map.of(), auth, null);
        }
        String status = change.isAdd() ? (doubleOptIn ? "pending" : "subscribed") : "unsubscribed";
        ObjectNode body = JSON.createObjectNode();
        body.put("email_address", email);
        body.put("status_if_new", status);
        body.put("status", status);
        return new PartnerRequest("PUT", url, Map.of("Content-Type", "application/json"), auth,
                body.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public List<Secret> secrets() {
        return List.of(apiKey, new Secret(authorization.substring("Basic ".length())));
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    @Override
    public String toString() {
        return "MailchimpOutput{list=" + listId + "}";
    }
}
