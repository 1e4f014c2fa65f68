package org.audienceengine.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.audienceengine.testutils.Batches.MINUTE;
import static org.audienceengine.testutils.Batches.T0;
import static org.audienceengine.testutils.Batches.audience;
import static org.audienceengine.testutils.Batches.batch;
import static org.audienceengine.testutils.Batches.custom;
import static org.audienceengine.testutils.Batches.definitions;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.audienceengine.testutils.Batches.BatchBuilder;
import org.audienceengine.testutils.Deltas;
import org.audienceengine.testutils.Harness;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The operator rules of audiences.md (missing, list and wrong-kind values; numbers against
 * numeric strings) through real batches: each case is one audience and one user whose only
 * attribute is the value under test, and the case holds when that user's membership in that
 * audience is as expected.
 */
class UserAudiencesOperatorsTest {
    private static final Object MISSING = new Object();
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Case(String criteria, Object value, boolean member) {}

    private static Case is(String op, String value, Object attribute) {
        return new Case("{'user_attribute': {'name': 'v', 'op': '" + op + "'" + (value == null ? "" : ", 'value': " + value) + "}}",
                attribute, true);
    }

    private static Case isNot(String op, String value, Object attribute) {
        Case c = is(op, value, attribute);
        return new Case(c.criteria, attribute, false);
    }

    @Test
    void missingAttributeFailsEveryOperatorButNotExists() throws Exception {
        check(List.of(
                isNot("equals", "'x'", MISSING),
                isNot("not_equals", "'x'", MISSING),
                isNot("contains", "'x'", MISSING),
                isNot("not_contains", "'x'", MISSING),
                isNot("matches", "'*'", MISSING),
                isNot("in", "['x']", MISSING),
                isNot("gt", "0", MISSING),
                isNot("lte", "0", MISSING),
                isNot("between", "[-1, 1]", MISSING),
                isNot("exists", null, MISSING),
                is("not_exists", null, MISSING),
                // "absent or different" is spelled with not.
                new Case("{'not': {'user_attribute': {'name': 'v', 'op': 'equals', 'value': 'x'}}}", MISSING, true)));
    }

    @Test
    void listSatisfiesPositiveOperatorsThroughAnyElementAndNegationsThroughNone() throws Exception {
        List<String> colors = List.of("blue", "Red");
        check(List.of(
                is("equals", "'red'", colors),
                isNot("not_equals", "'red'", colors),
                is("not_equals", "'red'", List.of("blue")),
                is("contains", "'LU'", colors),
                isNot("not_contains", "'lu'", colors),
                is("not_contains", "'lu'", List.of("red")),
                is("matches", "'r?d'", colors),
                is("in", "['x', 'BLUE']", colors),
                is("gt", "10", List.of("5", "20")),
                isNot("lt", "1", List.of("5", "20")),
                isNot("gt", "0", List.of("abc")),
                isNot("equals", "'x'", List.of()),
                is("not_equals", "'x'", List.of()),
                is("exists", null, List.of())));
    }

    @Test
    void valueOfTheWrongKindFailsThePositiveOperatorOnly() throws Exception {
        check(List.of(
                isNot("gt", "5", "abc"),
                isNot("lte", "5", "abc"),
                is("not_equals", "5", "abc"),
                isNot("gt", "0", true),
                isNot("between", "[0, 2]", true),
                isNot("contains", "'2'", 123),
                is("not_contains", "'2'", 123),
                isNot("matches", "'1*'", 123),
                is("between", "[100, 200]", 123),
                is("between", "[100, 200]", "150"),
                isNot("between", "[100, 200]", "250")));
    }

    @Test
    void booleansEqualOnlyBooleans() throws Exception {
        check(List.of(
                is("equals", "true", true),
                isNot("equals", "'true'", true),
                isNot("equals", "true", "true"),
                is("not_equals", "true", "true"),
                isNot("equals", "1", true)));
    }

    @Test
    void numbersAndNumericStringsCompareByValueButTwoStringsAsText() throws Exception {
        check(List.of(
                is("equals", "12", "12.0"),
                is("equals", "'12.0'", 12),
                is("equals", "12", 12.00),
                is("in", "['12.00', 'x']", 12),
                is("gte", "12", "12.0"),
                isNot("equals", "'12'", "12.0"),
                is("not_equals", "'12'", "12.0"),
                isNot("in", "['12']", "12.0"),
                is("equals", "'HELLO'", "hello"),
                is("matches", "'hello*'", "Hello World"),
                isNot("matches", "'hello'", "Hello World"),
                is("contains", "'O w'", "Hello World")));
    }

    @Test
    void whereFiltersFollowTheSameRules() throws Exception {
        String doc = definitions(
                audience(1, where("{'attribute': 'amount', 'op': 'gt', 'value': 10}")),
                audience(2, where("{'attribute': 'amount', 'op': 'not_equals', 'value': 5}")),
                audience(3, where("{'attribute': 'flag', 'op': 'equals', 'value': true}")),
                audience(4, where("{'attribute': 'flag', 'op': 'not_exists'}")),
                audience(5, where("{'attribute': 'amount', 'op': 'equals', 'value': 20}")));
        try (Harness h = Harness.eventTime(doc)) {
            h.push(batch(1, T0).events(custom("e", T0).attr("amount", "abc").attr("flag", "true")));
            h.push(batch(2, T0).events(custom("e", T0).attr("amount", "20.0").attr("flag", true)));
            h.push(batch(3, T0).events(custom("e", T0).attr("amount", 5)));
            h.watermark(T0 + MINUTE);
            assertThat(Deltas.members(h.allDeltas())).isEqualTo(Map.of(
                    1L, Set.of(2),
                    2L, Set.of(1, 2, 3, 5),
                    3L, Set.of(4)));
        }
    }

    /**
     * count and the numeric aggregates take every operator that applies to a number (audiences.md),
     * with the meaning it has on attributes: user 1 has 3 matching events worth 10, 20 and 30.
     */
    @Test
    void countAndAggregatesTakeEveryNumericOperator() throws Exception {
        String[][] cases = {
            // criteria of the count, then member or not (as "1" / "0")
            {"'count': {'op': 'equals', 'value': 3}", "1"},
            {"'count': {'op': 'equals', 'value': 2}", "0"},
            {"'count': {'op': 'not_equals', 'value': 2}", "1"},
            {"'count': {'op': 'not_equals', 'value': 3}", "0"},
            {"'count': {'op': 'in', 'value': [1, 3]}", "1"},
            {"'count': {'op': 'in', 'value': [1, 2]}", "0"},
            {"'count': {'op': 'gt', 'value': 2}", "1"},
            {"'count': {'op': 'gt', 'value': 3}", "0"},
            {"'count': {'op': 'gte', 'value': 3}", "1"},
            {"'count': {'op': 'lt', 'value': 3}", "0"},
            {"'count': {'op': 'lt', 'value': 4}", "1"},
            {"'count': {'op': 'lte', 'value': 3}", "1"},
            {"'count': {'op': 'between', 'value': [3, 5]}", "1"},
            {"'count': {'op': 'between', 'value': [4, 5]}", "0"},
            {"'sum': {'attribute': 'amount', 'op': 'in', 'value': [60, 61]}", "1"},
            {"'sum': {'attribute': 'amount', 'op': 'in', 'value': [59.5]}", "0"},
            {"'avg': {'attribute': 'amount', 'op': 'equals', 'value': 20}", "1"},
            {"'min': {'attribute': 'amount', 'op': 'not_equals', 'value': 10}", "0"},
            {"'max': {'attribute': 'amount', 'op': 'in', 'value': [30.0]}", "1"},
            {"'max': {'attribute': 'amount', 'op': 'lte', 'value': 29.99}", "0"},
            {"'avg': {'attribute': 'amount', 'op': 'between', 'value': [19.5, 20.5]}", "1"},
        };
        List<String> audiences = new ArrayList<>();
        Set<Integer> expected = new TreeSet<>();
        for (int i = 0; i < cases.length; i++) {
            audiences.add(audience(i + 1, "{'event': {'name': 'e', 'within': '1h', " + cases[i][0] + "}}"));
            if (cases[i][1].equals("1")) {
                expected.add(i + 1);
            }
        }
        try (Harness h = Harness.eventTime(definitions(audiences.toArray(new String[0])))) {
            h.push(batch(1, T0).events(custom("e", T0).attr("amount", 10), custom("e", T0 + 1).attr("amount", 20),
                    custom("e", T0 + 2).attr("amount", 30)));
            h.watermark(T0 + MINUTE);
            assertThat(Deltas.members(h.allDeltas()).getOrDefault(1L, Set.of())).isEqualTo(expected);
        }
    }

    private static String where(String filter) {
        return "{'event': {'name': 'e', 'within': '1h', 'where': [" + filter + "]}}";
    }

    /** Runs every case in one operator: case i is audience i + 1 and user 1000 + i. */
    private static void check(List<Case> cases) throws Exception {
        List<String> audiences = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            audiences.add(audience(i + 1, cases.get(i).criteria));
        }
        Map<String, Boolean> expected = new TreeMap<>();
        Map<String, Boolean> actual = new TreeMap<>();
        try (Harness h = Harness.eventTime(definitions(audiences.toArray(new String[0])))) {
            for (int i = 0; i < cases.size(); i++) {
                Case c = cases.get(i);
                BatchBuilder b = batch(1000 + i, T0).attribute("other", "o");
                if (c.value != MISSING) {
                    b.attribute("v", c.value);
                }
                h.push(b);
            }
            h.watermark(T0);
            Map<Long, Set<Integer>> members = Deltas.members(h.allDeltas());
            for (int i = 0; i < cases.size(); i++) {
                Case c = cases.get(i);
                String label = c.criteria + " on " + (c.value == MISSING ? "<missing>" : JSON.writeValueAsString(c.value));
                expected.put(label, c.member);
                actual.put(label, members.getOrDefault(1000L + i, new TreeSet<>()).contains(i + 1));
            }
        }
        assertThat(actual).isEqualTo(expected);
    }
}
