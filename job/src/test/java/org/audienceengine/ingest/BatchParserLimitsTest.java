package org.audienceengine.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.audienceengine.ingest.BatchParserTest.accepted;
import static org.audienceengine.ingest.BatchParserTest.assertRejected;
import static org.audienceengine.ingest.BatchParserTest.parse;
import static org.audienceengine.ingest.TestBatches.MAPPER;
import static org.audienceengine.ingest.TestBatches.attributes;
import static org.audienceengine.ingest.TestBatches.customEvent;
import static org.audienceengine.ingest.TestBatches.good;
import static org.audienceengine.ingest.TestBatches.goodWith;
import static org.audienceengine.ingest.TestBatches.read;
import static org.audienceengine.ingest.TestBatches.withEvent;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.audienceengine.ingest.Rejection.Reason;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** events.md "over the limits": the whole batch is rejected, exactly past each limit. */
class BatchParserLimitsTest {

    @Test
    void batchOfExactly256KiBPassesAndOneByteMoreIsTooLarge() {
        ObjectNode batch = good();
        batch.put("padding", "");
        int room = BatchParser.MAX_BATCH_BYTES - batch.toString().getBytes(StandardCharsets.UTF_8).length;
        batch.put("padding", "x".repeat(room));
        byte[] atLimit = batch.toString().getBytes(StandardCharsets.UTF_8);
        assertThat(atLimit).hasSize(256 * 1024);
        assertThat(parse(atLimit).ok()).isTrue();

        batch.put("padding", "x".repeat(room + 1));
        assertRejected(parse(batch), Reason.TOO_LARGE, "batch is 262145 bytes, over 256 KiB");
    }

    @Test
    void atMost100UserAttributes() {
        assertThat(accepted(good().set("user_attributes", attributes(100))).userAttributes).hasSize(100);
        assertRejected(good().set("user_attributes", attributes(101)), Reason.OVER_LIMIT, "over 100 user attributes (101)");
    }

    @Test
    void atMost100AttributesOnOneEvent() {
        assertThat(accepted(withEvent(customEvent(attributes(100)))).events.get(0).attributes).hasSize(100);
        assertRejected(withEvent(customEvent(attributes(101))), Reason.OVER_LIMIT, "events[0] has over 100 attributes (101)");
        // The commerce pseudo-attributes come on top of the 100.
        ObjectNode event = (ObjectNode) read("{'event_type': 'commerce_event', 'data': {'product_action':"
                + " {'action': 'purchase', 'total_amount': 10, 'products': [{}]}}}");
        ((ObjectNode) event.get("data")).set("custom_attributes", attributes(100));
        assertThat(accepted(withEvent(event)).events.get(0).attributes).hasSize(102);
    }

    @Test
    void attributeNamesUpTo256Chars() {
        String atLimit = "n".repeat(256);
        String over = "n".repeat(257);
        assertThat(accepted(goodWith("user_attributes", "{'" + atLimit + "': 1}")).userAttributes).containsKey(atLimit);
        assertRejected(goodWith("user_attributes", "{'" + over + "': 1}"), Reason.OVER_LIMIT, "user attribute name over 256 chars");
        assertThat(accepted(withEvent(customEvent(read("{'" + atLimit + "': 1}")))).events).hasSize(1);
        assertRejected(withEvent(customEvent(read("{'" + over + "': 1}"))), Reason.OVER_LIMIT, "events[0] attribute name over 256 chars");
    }

    @Test
    void attributeValuesUpTo4096Chars() {
        String atLimit = "v".repeat(4096);
        String over = "v".repeat(4097);
        assertThat(accepted(goodWith("user_attributes", "{'bio': '" + atLimit + "'}")).userAttributes).containsEntry("bio", atLimit);
        assertRejected(goodWith("user_attributes", "{'bio': '" + over + "'}"), Reason.OVER_LIMIT, "value of 'bio' is over 4,096 chars");
        assertThat(accepted(goodWith("user_attributes", "{'tags': ['" + atLimit + "']}")).userAttributes).containsKey("tags");
        assertRejected(goodWith("user_attributes", "{'tags': ['ok', '" + over + "']}"), Reason.OVER_LIMIT, "value of 'tags' is over 4,096 chars");
        assertThat(accepted(withEvent(customEvent(read("{'query': '" + atLimit + "'}")))).events).hasSize(1);
        assertRejected(withEvent(customEvent(read("{'query': '" + over + "'}"))), Reason.OVER_LIMIT, "value of 'query' is over 4,096 chars");
    }

    @Test
    void limitsCountCharactersNotUtf16Units() {
        // U+1F600 is one character but two Java chars; 4,096 of them are 4,096 characters.
        String emoji = new String(Character.toChars(0x1F600));
        assertThat(accepted(goodWith("user_attributes", "{'mood': '" + emoji.repeat(4096) + "'}")).userAttributes).containsKey("mood");
        assertRejected(goodWith("user_attributes", "{'mood': '" + emoji.repeat(4097) + "'}"), Reason.OVER_LIMIT, "over 4,096 chars");
        assertThat(accepted(goodWith("user_identities", "{'other': '" + emoji.repeat(256) + "'}")).userIdentities).containsKey("other");
        assertThat(accepted(goodWith("user_attributes", "{'" + emoji.repeat(256) + "': 1}")).userAttributes).hasSize(1);
    }

    @Test
    void identityValuesUpTo256Chars() {
        String atLimit = "c".repeat(256);
        assertThat(accepted(goodWith("user_identities", "{'customer_id': '" + atLimit + "'}")).userIdentities)
                .containsEntry("customer_id", atLimit);
        assertRejected(goodWith("user_identities", "{'customer_id': '" + "c".repeat(257) + "'}"),
                Reason.OVER_LIMIT, "user_identities.customer_id is over 256 chars");
    }

    @Test
    void namesOfIdentitiesDeviceFieldsAndConsentPurposesUpTo256Chars() {
        // These names are kept in the profile like attribute names, so the same limit applies.
        String atLimit = "k".repeat(256);
        String over = "k".repeat(257);
        assertThat(accepted(goodWith("user_identities", "{'" + atLimit + "': 'x'}")).userIdentities).containsKey(atLimit);
        assertRejected(goodWith("user_identities", "{'" + over + "': 'x'}"), Reason.OVER_LIMIT, "name over 256 chars");
        assertThat(accepted(goodWith("device_info", "{'" + atLimit + "': 'x'}")).deviceInfo).containsKey(atLimit);
        assertRejected(goodWith("device_info", "{'" + over + "': 'x'}"), Reason.OVER_LIMIT, "name over 256 chars");
        String purpose = "{'gdpr': {'%s': {'consented': true}}}";
        assertThat(accepted(goodWith("consent_state", purpose.formatted(atLimit))).consent).containsKey(atLimit);
        assertRejected(goodWith("consent_state", purpose.formatted(over)), Reason.OVER_LIMIT, "name over 256 chars");
    }

    @Test
    void listAttributesUpTo1000Entries() {
        ArrayNode list = MAPPER.createArrayNode();
        for (int i = 0; i < 1000; i++) {
            list.add("tag" + i);
        }
        ObjectNode batch = good();
        batch.putObject("user_attributes").set("tags", list);
        assertThat((List<?>) accepted(batch).userAttributes.get("tags")).hasSize(1000);
        list.add("one-too-many");
        assertRejected(batch, Reason.OVER_LIMIT, "user attribute 'tags' lists over 1,000 entries");
    }
}
