package org.audienceengine.definitions;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.List;

class DefinitionsValidatorTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String C = "audiences[0].criteria";
    private static final String AGGREGATE_OPS = "must be one of equals, not_equals, in, gt, gte, lt, lte, between";
    private static final String OPS = "must be one of exists, not_exists, equals, not_equals, contains, not_contains, "
            + "matches, in, gt, gte, lt, lte, between";
    private static final String CONDITIONS =
            "and, or, not, event, user_attribute, identity, device, consent, first_seen, location, audience";
    static final String WINDOW_FORMAT = "must be <n>m, <n>h or <n>d with n a positive integer";

    /** JSON written with single quotes, for readability. */
    private static List<String> doc(String singleQuoted) {
        return DefinitionsValidator.validate(singleQuoted.replace('\'', '"'));
    }

    /** Errors of a one-audience document with this criteria. */
    private static List<String> criteria(String singleQuoted) {
        return doc("{'audiences': [{'id': 1, 'name': 'a', 'criteria': " + singleQuoted + "}]}");
    }

    /** Asserts exactly these errors, each given below the criteria path, for a one-audience document. */
    private static void expect(String criteria, String... errorsBelowCriteria) {
        assertThat(criteria(criteria)).containsExactly(below(C, errorsBelowCriteria));
    }

    private static String[] below(String path, String... errors) {
        return Arrays.stream(errors).map(e -> path + e).toArray(String[]::new);
    }

    private static String event(String extra) {
        return "{'event': {'within': '7d'" + extra + "}}";
    }

    @Test
    void specExampleIsValid() {
        assertThat(doc("""
                {'audiences': [{'id': 101, 'name': 'Cart abandoners (7d)', 'external_name': 'cart_abandoners',
                  'enabled': true,
                  'criteria': {'and': [
                    {'event': {'type': 'commerce_event', 'name': 'add_to_cart', 'within': '7d'}},
                    {'not': {'event': {'type': 'commerce_event', 'name': 'purchase', 'within': '7d'}}},
                    {'user_attribute': {'name': 'country', 'op': 'in', 'value': ['US', 'CA']}},
                    {'identity': {'type': 'email', 'op': 'exists'}}]}}]}""")).isEmpty();
    }

    @Test
    void everyConditionKindCanBeValid() {
        assertThat(doc("""
                {'audiences': [
                  {'id': 1, 'name': 'base', 'criteria': {'or': [
                    {'event': {'type': 'custom_event', 'name': 'Add to cart', 'custom_event_type': 'transaction',
                       'where': [{'attribute': 'category', 'op': 'equals', 'value': 'shoes'},
                                 {'attribute': 'size', 'op': 'between', 'value': [38, 44.5]},
                                 {'attribute': 'gift', 'op': 'not_exists'}],
                       'within': '30m', 'count': {'op': 'between', 'value': [2, 2]}}},
                    {'event': {'type': 'commerce_event', 'within': '2160h',
                       'sum': {'attribute': '$total_amount', 'op': 'gt', 'value': -0.5}}},
                    {'event': {'type': 'my_own_type', 'within': '1m',
                       'avg': {'attribute': 'x', 'op': 'equals', 'value': 3}}},
                    {'user_attribute': {'name': 'Tier', 'op': 'matches', 'value': 'gold*'}},
                    {'identity': {'type': 'other_id_10', 'op': 'not_equals', 'value': 5}},
                    {'identity': {'type': 'ios_advertising_id', 'op': 'exists'}},
                    {'device': {'field': 'platform', 'op': 'in', 'value': ['iOS', 1, true]}},
                    {'consent': {'purpose': 'marketing', 'consented': false}},
                    {'first_seen': {'within': '90d'}},
                    {'location': {'latitude': -90, 'longitude': 180, 'radius_km': 0.5}}]}},
                  {'id': 2147483647, 'name': 'nested', 'enabled': false, 'criteria': {'audience': {'id': 1}}}]}
                """)).isEmpty();
    }

    @Test
    void unparseableJsonIsOneError() {
        assertThat(DefinitionsValidator.validate("{\"audiences\": [")).singleElement().asString()
                .startsWith("$: not valid JSON: Unexpected end-of-input");
        assertThat(DefinitionsValidator.validate("{\"audiences\": []} []")).singleElement().asString()
                .startsWith("$: not valid JSON: Trailing token");
        assertThat(DefinitionsValidator.validate("{\"audiences\": [], \"audiences\": []}")).singleElement()
                .asString().startsWith("$: not valid JSON: Duplicate field 'audiences'");
        assertThat(DefinitionsValidator.validate("")).containsExactly("$: not valid JSON: no content");
        assertThat(DefinitionsValidator.validate((String) null)).containsExactly("$: not valid JSON: no content");
    }

    @Test
    void root() {
        assertThat(doc("[]")).containsExactly("$: must be an object");
        assertThat(doc("{}")).containsExactly("audiences: is required");
        assertThat(doc("{'audiences': {}}")).containsExactly("audiences: must be a list");
        assertThat(doc("{'audiences': [], 'version': 2, 'a b': 1}"))
                .containsExactly("version: unknown key", "$[\"a b\"]: unknown key");
        assertThat(doc("{'audiences': []}")).isEmpty();
        assertThat(DefinitionsValidator.validate(MAPPER.nullNode())).containsExactly("$: must be an object");
    }

    @Test
    void audienceFields() {
        assertThat(doc("{'audiences': [7, {}]}")).containsExactly(
                "audiences[0]: must be an object",
                "audiences[1].id: is required",
                "audiences[1].name: is required",
                "audiences[1].criteria: is required");
        String ok = ", 'criteria': {'first_seen': {'within': '1d'}}";
        assertThat(doc("{'audiences': [{'id': 0, 'name': '', 'external_name': null, 'enabled': 'yes', 'x': 1" + ok
                + "}, {'id': 2147483648, 'name': 5" + ok + "}, {'id': 1.0, 'name': 'n'" + ok + "}]}"))
                .containsExactly(
                        "audiences[0].x: unknown key",
                        "audiences[0].id: must be an integer between 1 and 2147483647",
                        "audiences[0].name: must be a string of 1 to 100 characters",
                        "audiences[0].external_name: must be a string of 1 to 100 characters",
                        "audiences[0].enabled: must be a boolean",
                        "audiences[1].id: must be an integer between 1 and 2147483647",
                        "audiences[1].name: must be a string of 1 to 100 characters",
                        "audiences[2].id: must be an integer between 1 and 2147483647");
    }

    @Test
    void nameLengthCountsCharacters() {
        String crit = ", 'criteria': {'first_seen': {'within': '1d'}}}]}";
        assertThat(doc("{'audiences': [{'id': 1, 'name': '" + "\uD83D\uDE00".repeat(100) + "'" + crit)).isEmpty();
        assertThat(doc("{'audiences': [{'id': 1, 'name': 'n', 'external_name': '" + "x".repeat(101) + "'" + crit))
                .containsExactly("audiences[0].external_name: must be a string of 1 to 100 characters");
    }

    @Test
    void duplicateIdIsReportedAtTheSecondOccurrence() {
        String crit = "'criteria': {'first_seen': {'within': '1d'}}";
        assertThat(doc("{'audiences': [{'id': 5, 'name': 'a', " + crit + "}, {'id': 6, 'name': 'b', " + crit
                + "}, {'id': 5, 'name': 'c', " + crit + "}]}"))
                .containsExactly("audiences[2].id: duplicate id 5, already used by audiences[0]");
    }

    @Test
    void atMostOneThousandAudiences() {
        ObjectNode root = MAPPER.createObjectNode();
        ArrayNode list = root.putArray("audiences");
        for (int i = 1; i <= 1001; i++) {
            ObjectNode a = list.addObject().put("id", i).put("name", "a" + i);
            a.putObject("criteria").putObject("first_seen").put("within", "1d");
        }
        assertThat(DefinitionsValidator.validate(root))
                .containsExactly("audiences: must hold at most 1000 audiences, has 1001");
        list.remove(1000);
        assertThat(DefinitionsValidator.validate(root)).isEmpty();
    }

    @Test
    void conditionNeedsExactlyOneKnownKey() {
        expect("{}", ": must have exactly one condition key, one of " + CONDITIONS);
        expect("{'nope': {}}", ".nope: unknown condition");
        expect("{'first_seen': {'within': '1d'}, 'not': {'first_seen': {'within': '2d'}}}",
                ": must have exactly one condition key, has 2: first_seen, not");
        expect("{'first_seen': {'within': '1d'}, 'Event': {}}", ".Event: unknown condition");
        expect("'x'", ": must be an object with exactly one condition key");
    }

    @Test
    void andOrNot() {
        expect("{'and': []}", ".and: must not be empty");
        expect("{'or': {}}", ".or: must be a list of conditions");
        expect("{'or': [{'first_seen': {'within': '1d'}}, {}]}",
                ".or[1]: must have exactly one condition key, one of " + CONDITIONS);
        expect("{'not': []}", ".not: must be an object with exactly one condition key");
        expect("{'not': {'and': [{'or': [{'first_seen': {}}]}]}}", ".not.and[0].or[0].first_seen.within: is required");
    }

    /** A chain of n conditions: n - 1 alternating not/and wrappers around one leaf. */
    private static String chain(int n) {
        String s = "{'first_seen': {'within': '1d'}}";
        for (int level = n - 1; level >= 1; level--) {
            s = level % 2 == 0 ? "{'not': " + s + "}" : "{'and': [" + s + "]}";
        }
        return s;
    }

    @Test
    void nestingDepthSixteenIsAllowedSeventeenIsNot() {
        assertThat(criteria(chain(16))).isEmpty();
        StringBuilder path = new StringBuilder(C);
        for (int level = 1; level <= 16; level++) {
            path.append(level % 2 == 0 ? ".not" : ".and[0]");
        }
        assertThat(criteria(chain(17))).containsExactly(path + ": criteria must not be nested deeper than 16 levels");
    }

    @Test
    void eventBody() {
        String badType = ".event.type: must be a lower-case event type such as custom_event or commerce_event";
        expect("{'event': {'type': 'Custom_Event', 'name': '', 'custom_event_type': 'shopping', 'where': {}, 'x': 1}}",
                ".event.x: unknown key",
                badType,
                ".event.name: must be a non-empty string",
                ".event.custom_event_type: must be one of navigation, location, search, transaction, "
                        + "user_content, user_preference, social, media, attribution, other",
                ".event.where: must be a list of filters",
                ".event.within: is required");
        expect("{'event': {'type': '', 'within': '1d'}}", badType);
        expect("{'event': {'type': 'custom event', 'within': '1d'}}", badType);
        expect(event(", 'where': []"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1m", "90d", "2160h", "129600m", "24h", "007d"})
    void windowsInRange(String w) {
        assertThat(criteria("{'first_seen': {'within': '" + w + "'}}")).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "0m | must be between 1m and 90d",
        "91d | must be between 1m and 90d",
        "2161h | must be between 1m and 90d",
        "99999999999999999999999d | must be between 1m and 90d",
        "7w | " + WINDOW_FORMAT,
        "1.5h | " + WINDOW_FORMAT,
        "+5m | " + WINDOW_FORMAT,
        "-5m | " + WINDOW_FORMAT,
        "7D | " + WINDOW_FORMAT,
        "\" 7d\" | " + WINDOW_FORMAT,
        "d | " + WINDOW_FORMAT,
    })
    void badWindows(String w, String message) {
        expect("{'and': [{'first_seen': {'within': '1d'}}, " + event("").replace("7d", w) + "]}",
                ".and[1].event.within: " + message);
    }

    @Test
    void nullOrWrongKindsAreNeverTakenForAbsence() {
        assertThat(doc("{'audiences': [null, {'id': 2, 'name': 'n', 'enabled': null, 'criteria': null}]}"))
                .containsExactly("audiences[0]: must be an object", "audiences[1].enabled: must be a boolean",
                        "audiences[1].criteria: must be an object with exactly one condition key");
        expect("{'event': {'within': null, 'where': [null], 'count': null}}", ".event.where[0]: must be an object",
                ".event.within: " + WINDOW_FORMAT, ".event.count: must be an object");
        expect("{'first_seen': {'within': 7}}", ".first_seen.within: " + WINDOW_FORMAT);
    }

    /** Rows: the aggregate part of an event condition | its errors below {@code .event}, separated by "; ". */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "'count': {'op': 'gte', 'value': 1}, 'sum': {'attribute': 'a', 'op': 'gt', 'value': 1}"
                + " | : must have at most one of count, sum, min, max, avg, has count, sum",
        "'count': {'op': 'gte', 'value': 1.5} | .count.value: must be a non-negative integer",
        "'count': {'op': 'lt', 'value': -1} | .count.value: must be a non-negative integer",
        "'count': {'op': 'contains', 'value': 1} | .count.op: " + AGGREGATE_OPS,
        "'count': {'value': 1, 'attribute': 'a'} | .count.attribute: unknown key; .count.op: is required",
        "'count': {'op': 'equals'} | .count.value: is required",
        "'count': {'op': 'between', 'value': [3, 2]} | .count.value: lo must not be greater than hi",
        "'count': {'op': 'between', 'value': [1, 2.5]} | .count.value[1]: must be a non-negative integer",
        "'count': {'op': 'between', 'value': 2} | .count.value: must be a list [lo, hi] of two non-negative integers",
        "'count': 2 | .count: must be an object",
        "'max': {'op': 'gt', 'value': 'x'} | .max.attribute: is required; .max.value: must be a number",
        "'max': {'attribute': '', 'op': 'exists'}"
                + " | .max.attribute: must be a non-empty string; .max.op: " + AGGREGATE_OPS,
        "'max': {'attribute': 'a', 'op': 'between', 'value': [1.5, 'b', 3]}"
                + " | .max.value: must be a list [lo, hi] of two numbers",
        "'min': {'attribute': 'a', 'op': 'between', 'value': [-2.5, -3]} | .min.value: lo must not be greater than hi",
        "'avg': {'attribute': 'a', 'op': 'lte', 'value': -2.5} |",
        "'count': {'op': 'lt', 'value': 0} |",
        "'count': {'op': 'in', 'value': [1, 3]} |",
        "'count': {'op': 'in', 'value': []} | .count.value: must be a non-empty list of non-negative integers",
        "'count': {'op': 'in', 'value': [1, 2.5]} | .count.value[1]: must be a non-negative integer",
        "'sum': {'attribute': 'a', 'op': 'in', 'value': [1.5, -2]} |",
        "'sum': {'attribute': 'a', 'op': 'in', 'value': ['1']} | .sum.value[0]: must be a number",
        "'avg': {'attribute': 'a', 'op': 'not_equals', 'value': 2} |",
    })
    void eventAggregates(String aggregate, String errors) {
        expect(event(", " + aggregate), below(".event", errors == null ? new String[0] : errors.split("; ")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "'op': 'exists', 'value': 1 | value: must be absent for op exists",
        "'op': 'not_exists', 'value': null | value: must be absent for op not_exists",
        "'op': 'equals' | value: is required for op equals",
        "'op': 'equals', 'value': [1] | value: must be a string, number or boolean",
        "'op': 'not_equals', 'value': null | value: must be a string, number or boolean",
        "'op': 'contains', 'value': 1 | value: must be a string",
        "'op': 'not_contains', 'value': true | value: must be a string",
        "'op': 'matches', 'value': {} | value: must be a string",
        "'op': 'in', 'value': [] | value: must be a non-empty list of strings, numbers or booleans",
        "'op': 'in', 'value': 'US' | value: must be a non-empty list of strings, numbers or booleans",
        "'op': 'in', 'value': ['US', null] | value[1]: must be a string, number or boolean",
        "'op': 'gt', 'value': '5' | value: must be a number",
        "'op': 'lte', 'value': true | value: must be a number",
        "'op': 'between', 'value': [5, 1] | value: lo must not be greater than hi",
        "'op': 'between', 'value': ['1', 5] | value[0]: must be a number",
        "'op': 'between', 'value': [1] | value: must be a list [lo, hi] of two numbers",
        "'op': 'like', 'value': 'a' | op: " + OPS,
        "'op': 7 | op: " + OPS,
        "'value': 7 | op: is required",
    })
    void operatorValueKinds(String body, String error) {
        expect("{'user_attribute': {'name': 'a', " + body + "}}", ".user_attribute." + error);
        expect("{'identity': {'type': 'email', " + body + "}}", ".identity." + error);
        expect("{'device': {'field': 'brand', " + body + "}}", ".device." + error);
        expect(event(", 'where': [{'attribute': 'a', 'op': 'exists'}, {'attribute': 'a', " + body + "}]"),
                ".event.where[1]." + error);
    }

    @Test
    void comparisonSubjects() {
        String badIdentity = ".identity.type: must be a user identity type or a device_info identity field";
        expect("{'user_attribute': {'op': 'exists'}}", ".user_attribute.name: is required");
        expect("{'user_attribute': {'name': '', 'op': 'exists', 'Value': 1}}",
                ".user_attribute.Value: unknown key", ".user_attribute.name: must be a non-empty string");
        expect("{'identity': {'type': 'Email', 'op': 'exists'}}", badIdentity);
        expect("{'identity': {'type': 'other_id_11', 'op': 'exists'}}", badIdentity);
        expect("{'identity': {'type': 1, 'op': 'exists'}}", badIdentity);
        expect("{'identity': {'type': 'device_application_stamp', 'op': 'exists'}}");
        expect("{'device': {'field': 3, 'op': 'exists'}}", ".device.field: must be a non-empty string");
        expect(event(", 'where': [{'op': 'exists'}, 'x']"),
                ".event.where[0].attribute: is required", ".event.where[1]: must be an object");
    }

    @Test
    void consentFirstSeenLocation() {
        expect("{'consent': {'purpose': '', 'consented': 'true', 'at': 1}}", ".consent.at: unknown key",
                ".consent.purpose: must be a non-empty string", ".consent.consented: must be a boolean");
        expect("{'consent': {}}", ".consent.purpose: is required", ".consent.consented: is required");
        expect("{'first_seen': {'within': '1d', 'count': 1}}", ".first_seen.count: unknown key");
        expect("{'location': {'latitude': 90.5, 'longitude': '10', 'radius_km': 0}}",
                ".location.latitude: must be a number between -90 and 90",
                ".location.longitude: must be a number between -180 and 180",
                ".location.radius_km: must be a number greater than 0");
        expect("{'location': {'lat': 1}}", ".location.lat: unknown key", ".location.latitude: is required",
                ".location.longitude: is required", ".location.radius_km: is required");
    }

    /** Audience 10 (criteria and flags given) is referred to by audience 20; errors are given below its reference. */
    private static void expectReference(String base, String reference, String... errorsBelowReference) {
        assertThat(doc("{'audiences': [{'id': 10, 'name': 'base', 'criteria': {'first_seen': {'within': '1d'}}" + base
                + "}, {'id': 20, 'name': 'ref', 'criteria': {'audience': " + reference + "}}]}"))
                .containsExactly(below("audiences[1].criteria.audience", errorsBelowReference));
    }

    @Test
    void audienceReferences() {
        expectReference("", "{'id': 10}");
        expectReference(", 'enabled': true", "{'id': 10}");
        expectReference(", 'enabled': false", "{'id': 10}", ".id: refers to disabled audience 10");
        expectReference("", "{'id': 11}", ".id: refers to unknown audience 11");
        expectReference("", "{'id': '10'}", ".id: must be an integer between 1 and 2147483647");
        expectReference("", "{'id': 10, 'name': 'base'}", ".name: unknown key");
        expectReference("", "{}", ".id: is required");
        expectReference("", "[10]", ": must be an object");
        expectReference("", "{'id': 20}", ".id: must not refer to its own audience");
    }

    @Test
    void nestedOfNestedAndCyclesAreRejected() {
        String nested = ", which has an audience condition itself (only one level of nesting is allowed)";
        assertThat(doc("{'audiences': ["
                + "{'id': 1, 'name': 'a', 'criteria': {'first_seen': {'within': '1d'}}},"
                + "{'id': 2, 'name': 'b', 'criteria': {'or': [{'first_seen': {'within': '1d'}},"
                + " {'not': {'audience': {'id': 1}}}]}},"
                + "{'id': 3, 'name': 'c', 'criteria': {'and': [{'audience': {'id': 2}}]}}]}"))
                .containsExactly("audiences[2].criteria.and[0].audience.id: refers to audience 2" + nested);
        assertThat(doc("{'audiences': [{'id': 1, 'name': 'a', 'criteria': {'audience': {'id': 2}}},"
                + "{'id': 2, 'name': 'b', 'enabled': false, 'criteria': {'audience': {'id': 1}}}]}")).containsExactly(
                "audiences[0].criteria.audience.id: refers to disabled audience 2",
                "audiences[0].criteria.audience.id: refers to audience 2" + nested,
                "audiences[1].criteria.audience.id: refers to audience 1" + nested);
    }

    @Test
    void allErrorsAreReportedTogether() {
        assertThat(doc("""
                {'audiences': [
                  {'id': 3, 'name': 'x', 'criteria': {'and': [
                    {'event': {'within': '0m', 'count': {'op': 'gte', 'value': -2}}},
                    {'user_attribute': {'name': 'age', 'op': 'gt', 'value': 'old'}},
                    {'or': []}]}},
                  {'id': 3, 'name': 'y', 'colour': 'red', 'criteria': {'audience': {'id': 99}}}],
                 'extra': true}""")).containsExactly(
                "extra: unknown key",
                "audiences[0].criteria.and[0].event.within: must be between 1m and 90d",
                "audiences[0].criteria.and[0].event.count.value: must be a non-negative integer",
                "audiences[0].criteria.and[1].user_attribute.value: must be a number",
                "audiences[0].criteria.and[2].or: must not be empty",
                "audiences[1].colour: unknown key",
                "audiences[1].id: duplicate id 3, already used by audiences[0]",
                "audiences[1].criteria.audience.id: refers to unknown audience 99");
    }
}
