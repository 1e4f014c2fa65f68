package org.audienceengine.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.audienceengine.ingest.BatchParserTest.accepted;
import static org.audienceengine.ingest.BatchParserTest.assertRejected;
import static org.audienceengine.ingest.TestBatches.goodWith;

import org.audienceengine.ingest.Rejection.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Values the inbound schema types as "string, number or boolean" (events.md): integers and
 * booleans are taken as their JSON text, other numbers are wrong types, and null in an optional
 * field means the field is absent.
 */
class BatchParserJsonTextTest {

    @Test
    void anIntegerRequestIdIsItsJsonText() {
        assertThat(accepted(goodWith("source_request_id", "12345")).sourceRequestId).isEqualTo("12345");
        assertThat(accepted(goodWith("source_request_id", "'12345'")).sourceRequestId).isEqualTo("12345");
        assertThat(accepted(goodWith("source_request_id", "true")).sourceRequestId).isEqualTo("true");
        assertThat(accepted(goodWith("source_request_id", "-7")).sourceRequestId).isEqualTo("-7");
        assertThat(accepted(goodWith("source_request_id", "123456789012345678901234567890")).sourceRequestId)
                .isEqualTo("123456789012345678901234567890");
    }

    @Test
    void integerAndBooleanIdentitiesAreTheirJsonText() {
        Batch batch = accepted(goodWith("user_identities", "{'customer_id': 12345, 'other': false, 'email': 'A@x.io'}"));
        assertThat(batch.userIdentities)
                .containsEntry("customer_id", "12345")
                .containsEntry("other", "false")
                .containsEntry("email", "a@x.io");
        // The same user as the string form: identities derive the same mpid.
        Batch asText = accepted(goodWith("user_identities", "{'customer_id': '12345'}").without("mpid"));
        Batch asNumber = accepted(goodWith("user_identities", "{'customer_id': 12345}").without("mpid"));
        assertThat(asNumber.mpid).isEqualTo(asText.mpid);
    }

    @ParameterizedTest
    @ValueSource(strings = {"12.5", "1e3", "12.0"})
    void aNonIntegerNumberIsAWrongType(String value) {
        assertRejected(goodWith("user_identities", "{'customer_id': " + value + "}"), Reason.WRONG_TYPE,
                "user_identities.customer_id must be a string, an integer or a boolean");
        assertRejected(goodWith("source_request_id", value), Reason.WRONG_TYPE,
                "source_request_id must be a string, an integer or a boolean");
    }

    @Test
    void nullInOptionalFieldsMeansAbsent() {
        Batch batch = accepted(goodWith("consent_state",
                "{'gdpr': {'marketing': {'consented': true, 'timestamp_unixtime_ms': null}, 'analytics': null}}"));
        assertThat(batch.consent).containsOnlyKeys("marketing");
        assertThat(batch.consent.get("marketing").timestamp).isNull();
        for (String field : new String[] {"source_request_id", "user_identities", "user_attributes",
                "deleted_user_attributes", "device_info", "consent_state", "events"}) {
            assertThat(BatchParserTest.parse(goodWith(field, "null")).rejection()).as(field).isNull();
        }
        assertThat(accepted(goodWith("events", "[{'event_type': 'screen_view', 'data': {'screen_name': 'home',"
                + " 'timestamp_unixtime_ms': null, 'custom_attributes': null, 'location': null,"
                + " 'source_message_id': null}}]")).events).hasSize(1);
        // Without a batch time, an event's own time stands.
        Batch timed = accepted(goodWith("timestamp_unixtime_ms", "null").set("events", TestBatches.read(
                "[{'event_type': 'screen_view', 'data': {'screen_name': 'home', 'timestamp_unixtime_ms': 5}}]")));
        assertThat(timed.batchTime).isEqualTo(5);
    }

    @Test
    void listEntriesAreTheirJsonTextAndNullEntriesAreAbsent() {
        Batch batch = accepted(goodWith("user_attributes", "{'tags': ['a', 2, true, null, 2.50]}"));
        assertThat(batch.userAttributes.get("tags")).isEqualTo(java.util.List.of("a", "2", "true", "2.5"));
    }

    @Test
    void aNullCoordinateOrConsentedIsAbsent() {
        Batch batch = accepted(goodWith("events", "[{'event_type': 'screen_view', 'data': {'screen_name': 'home',"
                + " 'location': {'latitude': null, 'longitude': 5.5}}}]")
                .set("consent_state", TestBatches.read("{'gdpr': {'marketing': {'consented': null}}}")));
        assertThat(batch.events.get(0).hasLocation).isFalse();
        assertThat(batch.consent).isEmpty();
    }

    /** Required by the schema: development data must never reach production connections by accident. */
    @Test
    void aBatchWithoutEnvironmentIsAWrongType() {
        assertRejected(TestBatches.good().without("environment"), Reason.WRONG_TYPE, "environment is required");
        assertRejected(goodWith("environment", "null"), Reason.WRONG_TYPE, "environment is required");
        assertThat(accepted(goodWith("environment", "'development'")).environment).isEqualTo("development");
    }
}
