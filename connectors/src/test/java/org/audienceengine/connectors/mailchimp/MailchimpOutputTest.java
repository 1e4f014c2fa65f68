package org.audienceengine.connectors.mailchimp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.audienceengine.connectors.delivery.AudienceChange;
import org.audienceengine.connectors.delivery.PartnerRequest;
import org.audienceengine.connectors.delivery.Secret;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.audienceengine.connectors.delivery.Changes.change;
import static org.audienceengine.connectors.delivery.Changes.withEmail;

class MailchimpOutputTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static MailchimpOutput output(String extra) throws Exception {
        JsonNode settings = JSON.readTree("{\"base_url\":\"http://mc.test/3.0/\",\"list_id\":\"L1\"" + extra + "}");
        return new MailchimpOutput(settings, new Secret("key-us21"));
    }

    @Test
    void addIsAnUpsertByTheMd5OfTheTrimmedLowerCasedEmail() throws Exception {
        AudienceChange add = withEmail(change("mc", 101, 1, 1), "  Ann@Example.COM ");
        PartnerRequest r = output("").request(List.of(add));
        // md5("ann@example.com")
        String hash = "257c57037d384ae37ea27a07e8a01665";
        assertThat(MailchimpOutput.subscriberHash("ann@example.com")).isEqualTo(hash);
        assertThat(r.method()).isEqualTo("PUT");
        assertThat(r.url()).isEqualTo("http://mc.test/3.0/lists/L1/members/" + hash);
        assertThat(JSON.readTree(r.body())).isEqualTo(JSON.readTree(
                "{\"email_address\":\"ann@example.com\",\"status_if_new\":\"subscribed\",\"status\":\"subscribed\"}"));
        String basic = r.credentialHeaders().get("Authorization");
        assertThat(basic).startsWith("Basic ");
        assertThat(new String(Base64.getDecoder().decode(basic.substring(6)), StandardCharsets.UTF_8)).endsWith(":key-us21");
        assertThat(r.headers()).doesNotContainKey("Authorization");
        assertThat(output("").orderingKey(add)).isEqualTo(hash);
    }

    @Test
    void doubleOptInAddsPending() throws Exception {
        PartnerRequest r = output(",\"double_opt_in\":true").request(List.of(withEmail(change("mc", 101, 1, 1), "a@x.com")));
        assertThat(JSON.readTree(r.body()).path("status_if_new").asText()).isEqualTo("pending");
        assertThat(JSON.readTree(r.body()).path("status").asText()).isEqualTo("pending");
    }

    @Test
    void removeDeletesOrUnsubscribes() throws Exception {
        AudienceChange remove = withEmail(change("mc", 101, 1, 2), "a@x.com");
        PartnerRequest delete = output("").request(List.of(remove));
        assertThat(delete.method()).isEqualTo("DELETE");
        assertThat(delete.url()).endsWith("/lists/L1/members/" + MailchimpOutput.subscriberHash("a@x.com"));
        assertThat(delete.body()).isNull();
        PartnerRequest unsubscribe = output(",\"delete_on_subscription_end\":false").request(List.of(remove));
        assertThat(unsubscribe.method()).isEqualTo("PUT");
        assertThat(JSON.readTree(unsubscribe.body())).isEqualTo(JSON.readTree(
                "{\"email_address\":\"a@x.com\",\"status_if_new\":\"unsubscribed\",\"status\":\"unsubscribed\"}"));
    }

    @Test
    void usersWithoutEmailAreUnmatched() throws Exception {
        assertThat(output("").orderingKey(change("mc", 101, 1, 1).withIdentity("customer_id", "c1"))).isNull();
        assertThat(output("").orderingKey(withEmail(change("mc", 101, 1, 1), "   "))).isNull();
        assertThat(output("").toString()).doesNotContain("key-us21");
    }
}
