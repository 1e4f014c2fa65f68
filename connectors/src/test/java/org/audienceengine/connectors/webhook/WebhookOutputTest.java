package org.audienceengine.connectors.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.audienceengine.connectors.delivery.AudienceChange;
import org.audienceengine.connectors.delivery.PartnerRequest;
import org.audienceengine.connectors.delivery.Secret;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.audienceengine.connectors.delivery.Changes.change;

class WebhookOutputTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static WebhookOutput output() throws Exception {
        return new WebhookOutput(JSON.readTree("{\"url\":\"http://hook.test/in\",\"max_batch\":10}"),
                new Secret("s3cret"), Clock.fixed(Instant.ofEpochMilli(1_767_225_600_000L), ZoneOffset.UTC));
    }

    @Test
    void firehoseBodyGroupsAudiencesPerUser() throws Exception {
        AudienceChange a = change("h", 101, 7, 1).withIdentity("email", "a@x.com").withIdentity("customer_id", "c7");
        AudienceChange b = change("h", 102, 7, 2).withIdentity("email", "a@x.com").withIdentity("customer_id", "c7");
        AudienceChange c = change("h", 101, 8, 1);
        PartnerRequest r = output().request(List.of(a, b, c));
        String id = WebhookOutput.batchId(List.of(a.deltaId, b.deltaId, c.deltaId));
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.url()).isEqualTo("http://hook.test/in");
        assertThat(JSON.readTree(r.body())).isEqualTo(JSON.readTree("{\"id\":\"" + id + "\",\"timestamp_ms\":1767225600000,"
                + "\"user_profiles\":[{\"mpid\":7,\"user_identities\":[{\"type\":\"email\",\"value\":\"a@x.com\"},"
                + "{\"type\":\"customer_id\",\"value\":\"c7\"}],\"audiences\":["
                + "{\"audience_id\":101,\"audience_name\":\"Audience 101\",\"action\":\"add\",\"delta_id\":\"" + a.deltaId + "\"},"
                + "{\"audience_id\":102,\"audience_name\":\"Audience 102\",\"action\":\"delete\",\"delta_id\":\"" + b.deltaId + "\"}]},"
                + "{\"mpid\":8,\"user_identities\":[],\"audiences\":["
                + "{\"audience_id\":101,\"audience_name\":\"Audience 101\",\"action\":\"add\",\"delta_id\":\"" + c.deltaId + "\"}]}]}"));
        assertThat(r.headers()).containsEntry("Idempotency-Key", id)
                .containsEntry("X-Signature", WebhookOutput.signature("s3cret", r.body()));
        assertThat(r.headers().get("X-Signature")).matches("sha256=[0-9a-f]{64}");
        assertThat(r.credentialHeaders()).isEmpty();
    }

    @Test
    void idempotencyKeyDependsOnTheDeltasOnly() throws Exception {
        AudienceChange a = change("h", 101, 7, 1);
        AudienceChange b = change("h", 101, 8, 1);
        String k1 = output().request(List.of(a, b)).headers().get("Idempotency-Key");
        String k2 = output().request(List.of(b, a)).headers().get("Idempotency-Key");
        String k3 = output().request(List.of(a)).headers().get("Idempotency-Key");
        assertThat(k1).isEqualTo(k2).isNotEqualTo(k3);
    }
}
