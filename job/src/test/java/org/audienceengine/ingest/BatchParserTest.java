package org.audienceengine.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.audienceengine.ingest.TestBatches.T;
import static org.audienceengine.ingest.TestBatches.attributes;
import static org.audienceengine.ingest.TestBatches.good;
import static org.audienceengine.ingest.TestBatches.goodWith;
import static org.audienceengine.ingest.TestBatches.json;
import static org.audienceengine.ingest.TestBatches.read;
import static org.audienceengine.ingest.TestBatches.withEvent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.audienceengine.ingest.Rejection.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/** Every kind of bad input of events.md, and the good inputs that sit right next to them. */
class BatchParserTest {
    private static final String MPID = "mpid must be a 64-bit integer or decimal string";

    static BatchParser.Result parse(byte[] payload) {
        return BatchParser.parse(payload, null);
    }

    static BatchParser.Result parse(JsonNode batch) {
        return parse(batch.toString().getBytes(StandardCharsets.UTF_8));
    }

    static Batch accepted(JsonNode batch) {
        BatchParser.Result result = parse(batch);
        assertThat(result.rejection()).isNull();
        return result.batch();
    }

    static void assertRejected(BatchParser.Result result, Reason reason, String detailFragment) {
        assertThat(result.batch()).isNull();
        assertThat(result.rejection().reason()).isEqualTo(reason);
        assertThat(result.rejection().detail()).contains(detailFragment);
    }

    static void assertRejected(JsonNode batch, Reason reason, String detailFragment) {
        assertRejected(parse(batch), reason, detailFragment);
    }

    @ParameterizedTest
    @ValueSource(strings = {"hello world", "{mpid: 42}", "{'mpid': 42,}", "{'mpid': 42} {'mpid': 43}",
            "{'mpid': 42, 'mpid': 43}", "{'mpid': NaN}"})
    void notJson(String text) {
        assertRejected(parse(json(text).getBytes(StandardCharsets.UTF_8)), Reason.NOT_JSON, "not valid JSON");
    }

    @Test
    void aKeyTwiceInANestedObjectIsNotJson() {
        BatchParser.Result r = parse(json("{'mpid': 42, 'environment': 'production', 'timestamp_unixtime_ms': 1, "
                + "'events': [{'event_type': 'custom_event', 'data': {'event_name': 'a', 'event_name': 'b'}}]}")
                .getBytes(StandardCharsets.UTF_8));
        assertRejected(r, Reason.NOT_JSON, "not valid JSON");
        assertThat(r.rejection().detail()).isEqualTo("not valid JSON: Duplicate field 'event_name'");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {"[{'mpid': 42}] | array", "'a batch' | string", "42 | number",
            "true | boolean", "null | null"})
    void jsonThatIsNotAnObject(String text, String kind) {
        assertRejected(parse(json(text).getBytes(StandardCharsets.UTF_8)), Reason.NOT_AN_OBJECT, "batch is a JSON " + kind);
    }

    @Test
    void everyTruncationOfAGoodBatchIsNotJson() {
        byte[] whole = good().toString().getBytes(StandardCharsets.UTF_8);
        assertThat(parse(whole).ok()).isTrue();
        for (int length = 1; length < whole.length; length++) {
            byte[] cut = Arrays.copyOf(whole, length);
            assertRejected(parse(cut), Reason.NOT_JSON, "not valid JSON");
        }
    }

    @Test
    void emptyRecordIsNotJson() {
        assertRejected(parse(new byte[0]), Reason.NOT_JSON, "empty record");
        assertRejected(parse((byte[]) null), Reason.NOT_JSON, "empty record");
    }

    @Test
    void binaryGarbageIsNotJson() {
        int tried = 0;
        for (int seed = 0; seed < 200; seed++) {
            byte[] garbage = new byte[1 + seed * 7];
            new Random(seed).nextBytes(garbage);
            if (Arrays.equals(new String(garbage, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8), garbage)) {
                continue;
            }
            tried++;
            assertRejected(parse(garbage), Reason.NOT_JSON, "not valid JSON");
        }
        assertThat(tried).isGreaterThan(190);
    }

    @Test
    void gzippedBatchIsNotJson() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            gzip.write(good().toString().getBytes(StandardCharsets.UTF_8));
        }
        assertRejected(parse(bytes.toByteArray()), Reason.NOT_JSON, "not valid JSON");
    }

    @Test
    void invalidUtf8InsideAnOtherwiseGoodBatchIsNotJson() {
        byte[] good = json("{'mpid': 42, 'environment': 'production', 'timestamp_unixtime_ms': 1, 'user_attributes': {'name': 'Xx'}}")
                .getBytes(StandardCharsets.UTF_8);
        int x = new String(good, StandardCharsets.UTF_8).indexOf("Xx");
        good[x] = (byte) 0xFF;
        good[x + 1] = (byte) 0xFE;
        assertRejected(parse(good), Reason.NOT_JSON, "not valid JSON");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{'id': 42}", "42.5", "42.0", "'forty-two'", "' 42'", "true", "9223372036854775808",
            "-9223372036854775809", "'123456789012345678901'"})
    void mpidOfTheWrongType(String mpid) {
        assertRejected(goodWith("mpid", mpid), Reason.WRONG_TYPE, MPID);
    }

    static Stream<Arguments> wrongTypes() {
        return Stream.of(
                Arguments.of("mpid", "'9223372036854775808'", "mpid is out of the 64-bit range"),
                Arguments.of("mpid", "'-9223372036854775809'", "mpid is out of the 64-bit range"),
                Arguments.of("events", "{'event_type': 'screen_view'}", "events must be a list"),
                Arguments.of("events", "'screen_view'", "events must be a list"),
                Arguments.of("timestamp_unixtime_ms", "'" + T + "'", "timestamp_unixtime_ms must be an integer"),
                Arguments.of("timestamp_unixtime_ms", T + ".5", "timestamp_unixtime_ms must be an integer"),
                Arguments.of("user_identities", "['customer_id', 'c-1']", "user_identities must be an object"),
                Arguments.of("user_identities", "{'customer_id': 12.5}",
                        "user_identities.customer_id must be a string, an integer or a boolean"),
                Arguments.of("user_attributes", "[{'plan': 'pro'}]", "user_attributes must be an object"),
                Arguments.of("user_attributes", "{'plan': {'tier': 'pro'}}", "user attribute 'plan' must be a string, number, boolean or list"),
                Arguments.of("user_attributes", "{'tags': ['a', {'b': 'c'}]}", "user attribute 'tags' must list strings only"),
                Arguments.of("user_attributes", "{'tags': ['a', ['b']]}", "user attribute 'tags' must list strings only"),
                Arguments.of("environment", "'staging'", "environment must be production or development"),
                Arguments.of("environment", "1", "environment must be production or development"),
                Arguments.of("deleted_user_attributes", "'plan'", "deleted_user_attributes must be a list"),
                Arguments.of("device_info", "'iOS'", "device_info must be an object"),
                Arguments.of("consent_state", "{'gdpr': {'marketing': {'consented': 'yes'}}}", "consent_state.gdpr.marketing"),
                Arguments.of("source_request_id", "7.5", "source_request_id must be a string, an integer or a boolean"));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource
    void wrongTypes(String field, String value, String detail) {
        assertRejected(goodWith(field, value), Reason.WRONG_TYPE, detail);
    }

    @ParameterizedTest
    @ValueSource(longs = {-1, BatchParser.MAX_TIME + 1, Long.MAX_VALUE - 1000, Long.MIN_VALUE})
    void timesOutsideTheYears1970To9999AreRejected(long t) {
        String range = "must be between 0 and 253402300799999 (years 1970 to 9999)";
        assertRejected(goodWith("timestamp_unixtime_ms", Long.toString(t)), Reason.WRONG_TYPE, "timestamp_unixtime_ms " + range);
        JsonNode event = read("{'event_type': 'screen_view', 'data': {'timestamp_unixtime_ms': " + t + "}}");
        assertRejected(withEvent(event), Reason.BAD_EVENT, "events[0].data.timestamp_unixtime_ms " + range);
        assertThat(accepted(goodWith("timestamp_unixtime_ms", "0")).batchTime).isEqualTo(0);
        assertThat(accepted(goodWith("timestamp_unixtime_ms", "253402300799999")).batchTime).isEqualTo(BatchParser.MAX_TIME);
    }

    @Test
    void eventTimestampOfTheWrongTypeRejectsTheBatchAsABadEvent() {
        JsonNode event = read("{'event_type': 'screen_view', 'data': {'timestamp_unixtime_ms': '" + T + "'}}");
        assertRejected(withEvent(event), Reason.BAD_EVENT, "events[0].data.timestamp_unixtime_ms must be an integer");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{'environment': 'production', 'timestamp_unixtime_ms': 1, 'events': []}",
            "{'mpid': null, 'environment': 'production', 'timestamp_unixtime_ms': 1}",
            "{'environment': 'production', 'timestamp_unixtime_ms': 1, 'user_identities': {}}",
            "{'environment': 'production', 'timestamp_unixtime_ms': 1, 'user_identities': {'customer_id': null, 'email': null}}",
            // Any other identity does not give an mpid: only customer_id and email do.
            "{'environment': 'production', 'timestamp_unixtime_ms': 1, 'user_identities': {'other': 'x', 'mobile_number': '+1555'}}"})
    void noUsableIdentity(String batch) {
        assertRejected(read(batch), Reason.NO_IDENTITY, "no mpid, customer_id or email");
    }

    @Test
    void mpidAsNumberOrDecimalString() {
        assertThat(accepted(goodWith("mpid", "'1234567890'")).mpid).isEqualTo(1_234_567_890L);
        assertThat(accepted(goodWith("mpid", "'-7'")).mpid).isEqualTo(-7L);
        assertThat(accepted(goodWith("mpid", "9223372036854775807")).mpid).isEqualTo(Long.MAX_VALUE);
        assertThat(accepted(goodWith("mpid", "'-9223372036854775808'")).mpid).isEqualTo(Long.MIN_VALUE);
        assertThat(accepted(goodWith("user_identities", "{'customer_id': 'c-42'}")).mpid).isEqualTo(42L);
    }

    @Test
    void mpidIsDerivedFromCustomerIdFirst() {
        long fromCustomerId = accepted(read("{'environment': 'production', 'timestamp_unixtime_ms': 1,"
                + " 'user_identities': {'email': 'ann@x.com', 'customer_id': 'c-42'}}")).mpid;
        // Pinned: the derivation is documented and must never change (it would split users).
        assertThat(fromCustomerId).isEqualTo(1_378_772_440_633_297_986L)
                .isEqualTo(MpidDerivation.derive("customer_id", "c-42"));
    }

    @Test
    void mpidIsDerivedFromTheNormalisedEmailWithoutCustomerId() {
        long messy = accepted(read("{'environment': 'production', 'timestamp_unixtime_ms': 1, 'user_identities': {'email': ' Ann@X.com ', 'customer_id': null}}")).mpid;
        long clean = accepted(read("{'environment': 'production', 'timestamp_unixtime_ms': 1, 'user_identities': {'email': 'ann@x.com'}}")).mpid;
        assertThat(messy).isEqualTo(clean).isEqualTo(7_884_840_218_823_864_547L);
    }

    @Test
    void emailIsTrimmedAndLowerCased() {
        Batch batch = accepted(goodWith("user_identities", "{'email': '  Ann.Lee@Example.COM\\t', 'other': ' Keep Me '}"));
        assertThat(batch.userIdentities).containsEntry("email", "ann.lee@example.com").containsEntry("other", " Keep Me ");
        assertThat(BatchParser.normalizeEmail(" Ann@X.com")).isEqualTo("ann@x.com");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "'screen_view'                                                          | events[1] must be an object",
            "{'event_type': 'screen_view', 'data': 'home'}                          | events[1] data must be an object",
            "{'data': {'screen_name': 'home'}}                                      | events[1] event_type must be a non-empty string",
            "{'event_type': 7}                                                      | events[1] event_type must be a non-empty string",
            "{'event_type': 'custom_event', 'data': {'custom_attributes': {'q': {'a': 1}}}} | events[1] custom attribute values must be",
            "{'event_type': 'custom_event', 'data': {'custom_attributes': {'q': ['a']}}}    | events[1] custom attribute values must be",
            "{'event_type': 'session_start', 'data': {'location': {'latitude': '47.6', 'longitude': -122.3}}} | events[1] data.location must be",
            "{'event_type': 'session_start', 'data': {'location': {'latitude': 47.6}}}     | events[1] data.location must be",
            "{'event_type': 'custom_event', 'data': {'event_name': 5}}                     | events[1].data.event_name must be a string",
            "{'event_type': 'commerce_event', 'data': {'product_action': {'action': 'purchase', 'total_amount': '9.99'}}} | total_amount must be a number",
            "{'event_type': 'commerce_event', 'data': {'product_action': {'action': 'purchase', 'products': {}}}} | products must be a list"})
    void oneBadEventRejectsTheWholeBatch(String badEvent, String detail) {
        ObjectNode batch = good();
        ((ArrayNode) batch.get("events")).add(read(badEvent))
                .add(read("{'event_type': 'session_start'}"));
        assertRejected(batch, Reason.BAD_EVENT, detail);
    }

    @Test
    void unknownEventTypeIsAcceptedAndNamedByItsType() {
        Event event = accepted(withEvent(read("{'event_type': 'product_review', 'data': {'stars': 5}}"))).events.get(0);
        assertThat(event.type).isEqualTo("product_review");
        assertThat(event.name).isEqualTo("product_review");
    }

    @Test
    void eventNamesByType() {
        ObjectNode batch = good();
        ((ArrayNode) batch.get("events"))
                .add(read("{'event_type': 'custom_event', 'data': {'event_name': 'Video Watched', 'custom_event_type': 'media'}}"))
                .add(read("{'event_type': 'session_start', 'data': {'location': {'latitude': 47.6, 'longitude': -122.3}}}"));
        List<Event> events = accepted(batch).events;
        assertThat(events).extracting(e -> e.name).containsExactly("home", "Video Watched", "session_start");
        assertThat(events.get(1).customEventType).isEqualTo("media");
        assertThat(events.get(2).hasLocation).isTrue();
        assertThat(events.get(2).latitude).isEqualTo(47.6);
    }

    @Test
    void commerceEventsExposeTotalAmountAndProductCount() {
        Event purchase = accepted(withEvent(read("{'event_type': 'commerce_event', 'data': {'custom_attributes': {'channel': 'store'},"
                + " 'product_action': {'action': 'purchase', 'total_amount': 12.50, 'products': [{'id': 'a'}, {'id': 'b'}]}}}"))).events.get(0);
        assertThat(purchase.name).isEqualTo("purchase");
        assertThat(purchase.attributes)
                .containsEntry("channel", "store")
                .containsEntry("$total_amount", new BigDecimal("12.5"))
                .containsEntry("$product_count", new BigDecimal("2"));
        Event noProducts = accepted(withEvent(read("{'event_type': 'commerce_event', 'data': {'product_action': {'action': 'add_to_cart'}}}")))
                .events.get(0);
        assertThat(noProducts.attributes).containsEntry("$product_count", BigDecimal.ZERO).doesNotContainKey("$total_amount");
    }

    @Test
    void eventTimeFallsBackToBatchTimeAndBatchTimeIsTheLatestEventTimeElseItsOwn() {
        Batch batch = accepted(read("{'mpid': 1, 'environment': 'production', 'timestamp_unixtime_ms': " + T + ", 'events': ["
                + "{'event_type': 'screen_view', 'data': {'timestamp_unixtime_ms': " + (T - 5000) + "}},"
                + "{'event_type': 'screen_view'},"
                + "{'event_type': 'screen_view', 'data': {'timestamp_unixtime_ms': " + (T + 3000) + "}}]}"));
        assertThat(batch.events).extracting(e -> e.time).containsExactly(T - 5000, T, T + 3000);
        assertThat(batch.batchTime).isEqualTo(T + 3000);
        assertThat(accepted(read("{'mpid': 1, 'environment': 'production', 'timestamp_unixtime_ms': " + T + ", 'events': []}")).batchTime).isEqualTo(T);
    }

    @Test
    void withoutAnyTimeTheReceiveTimeIsUsedAndWithoutThatTheBatchIsRejected() {
        byte[] timeless = json("{'mpid': 1, 'environment': 'production', 'user_attributes': {'plan': 'pro'}}").getBytes(StandardCharsets.UTF_8);
        assertRejected(BatchParser.parse(timeless, null), Reason.NO_TIME, "no events and no timestamp_unixtime_ms");
        BatchParser.Result live = BatchParser.parse(timeless, T);
        assertThat(live.ok()).isTrue();
        assertThat(live.batch().batchTime).isEqualTo(T);

        byte[] timelessEvent = json("{'mpid': 1, 'environment': 'production', 'events': [{'event_type': 'session_start'}]}").getBytes(StandardCharsets.UTF_8);
        assertRejected(BatchParser.parse(timelessEvent, null), Reason.NO_TIME, "events[0] has no time");
        assertThat(BatchParser.parse(timelessEvent, T).batch().events.get(0).time).isEqualTo(T);
    }

    @Test
    void unknownFieldsAreIgnoredAndNullsDelete() {
        Batch batch = accepted(read("{'mpid': 42, 'environment': 'production', 'timestamp_unixtime_ms': 1, 'schema_version': 2, 'ip': '10.0.0.1',"
                + " 'user_attributes': {'plan': null, 'age': 31, 'vip': true}, 'device_info': {'platform': 'iOS', 'push_token': null}}"));
        assertThat(batch.userAttributes).containsEntry("plan", null).containsEntry("age", new BigDecimal("31")).containsEntry("vip", true);
        assertThat(batch.deviceInfo).containsEntry("platform", "iOS").containsEntry("push_token", null);
        assertThat(batch.environment).isEqualTo("production");
    }
}
