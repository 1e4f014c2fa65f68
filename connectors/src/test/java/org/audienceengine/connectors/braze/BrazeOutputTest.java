package org.audienceengine.connectors.braze;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.audienceengine.connectors.delivery.AudienceChange;
import org.audienceengine.connectors.delivery.PartnerRequest;
import org.audienceengine.connectors.delivery.Secret;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.audienceengine.connectors.delivery.Changes.change;
import static org.audienceengine.connectors.delivery.Changes.withCustomer;

class BrazeOutputTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static BrazeOutput output(String as) throws Exception {
        return new BrazeOutput(JSON.readTree("{\"base_url\":\"http://braze.test\",\"send_segments_as\":\"" + as + "\"}"),
                new Secret("braze-key"));
    }

    private static JsonNode body(PartnerRequest r) throws Exception {
        return JSON.readTree(r.body());
    }

    @Test
    void singleAttributeAddsAndRemovesTheSegmentId() throws Exception {
        AudienceChange add = withCustomer(change("b", 101, 1, 1), "c-1");
        AudienceChange remove = withCustomer(change("b", 102, 2, 2), "c-2");
        PartnerRequest r = output("single_attribute").request(List.of(add, remove));
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.url()).isEqualTo("http://braze.test/users/track");
        assertThat(r.credentialHeaders()).containsEntry("Authorization", "Bearer braze-key");
        assertThat(body(r)).isEqualTo(JSON.readTree("{\"attributes\":["
                + "{\"external_id\":\"c-1\",\"SegmentMembership\":{\"add\":[\"101\"]}},"
                + "{\"external_id\":\"c-2\",\"SegmentMembership\":{\"remove\":[\"102\"]}}]}"));
    }

    @Test
    void attributePerSegmentAndBoth() throws Exception {
        AudienceChange add = withCustomer(change("b", 101, 1, 1), "c-1");
        AudienceChange remove = withCustomer(change("b", 101, 1, 2), "c-1");
        assertThat(body(output("attribute_per_segment").request(List.of(add)))).isEqualTo(JSON.readTree(
                "{\"attributes\":[{\"external_id\":\"c-1\",\"In aud_101\":true}]}"));
        assertThat(body(output("attribute_per_segment").request(List.of(remove)))).isEqualTo(JSON.readTree(
                "{\"attributes\":[{\"external_id\":\"c-1\",\"In aud_101\":false}]}"));
        assertThat(body(output("both").request(List.of(add)))).isEqualTo(JSON.readTree(
                "{\"attributes\":[{\"external_id\":\"c-1\",\"SegmentMembership\":{\"add\":[\"101\"]},\"In aud_101\":true}]}"));
    }

    @Test
    void customerIdIsTheIdentityAndBatchesHoldAtMost75() throws Exception {
        BrazeOutput out = output("single_attribute");
        assertThat(out.orderingKey(change("b", 101, 1, 1).withIdentity("email", "a@x.com"))).isNull();
        assertThat(out.orderingKey(withCustomer(change("b", 101, 1, 1), "c-1"))).isEqualTo("c-1");
        assertThat(out.maxBatch()).isEqualTo(75);
        List<AudienceChange> tooMany = java.util.stream.IntStream.range(0, 76)
                .mapToObj(i -> withCustomer(change("b", 101, i, 1), "c-" + i)).toList();
        assertThatThrownBy(() -> out.request(tooMany)).isInstanceOf(IllegalArgumentException.class);
    }
}
