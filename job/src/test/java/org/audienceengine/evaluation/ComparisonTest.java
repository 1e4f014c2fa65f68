package org.audienceengine.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.math.BigDecimal;
import java.util.List;
import java.util.stream.Stream;

/** The operator table of audiences.md "Operators", row by row, including the edge rules. */
class ComparisonTest {
    private static final Object MISSING = null;

    private static BigDecimal n(String v) {
        return new BigDecimal(v);
    }

    private static Arguments row(Op op, Object value, Object attribute, boolean expected) {
        return Arguments.of(op, value, attribute, expected);
    }

    static Stream<Arguments> existence() {
        return Stream.of(
                row(Op.EXISTS, null, "x", true),
                row(Op.EXISTS, null, "", true),
                row(Op.EXISTS, null, n("0"), true),
                row(Op.EXISTS, null, false, true),
                row(Op.EXISTS, null, List.of(), true),
                row(Op.EXISTS, null, MISSING, false),
                row(Op.NOT_EXISTS, null, MISSING, true),
                row(Op.NOT_EXISTS, null, "x", false),
                row(Op.NOT_EXISTS, null, false, false));
    }

    /** A missing attribute makes every operator false except not_exists. */
    static Stream<Arguments> missing() {
        return Stream.of(
                row(Op.EQUALS, "a", MISSING, false),
                row(Op.NOT_EQUALS, "a", MISSING, false),
                row(Op.CONTAINS, "a", MISSING, false),
                row(Op.NOT_CONTAINS, "a", MISSING, false),
                row(Op.MATCHES, "*", MISSING, false),
                row(Op.IN, List.of("a", n("1")), MISSING, false),
                row(Op.GT, n("0"), MISSING, false),
                row(Op.GTE, n("0"), MISSING, false),
                row(Op.LT, n("0"), MISSING, false),
                row(Op.LTE, n("0"), MISSING, false),
                row(Op.BETWEEN, new BigDecimal[] {n("-1"), n("1")}, MISSING, false));
    }

    static Stream<Arguments> equality() {
        return Stream.of(
                row(Op.EQUALS, "Shoes", "shoes", true),
                row(Op.EQUALS, "shoes", "SHOES", true),
                row(Op.EQUALS, "shoes", "shoe", false),
                row(Op.EQUALS, "shoes", "shoes ", false),
                row(Op.NOT_EQUALS, "Shoes", "shoes", false),
                row(Op.NOT_EQUALS, "shoes", "hats", true),
                // A number and a numeric string compare by value.
                row(Op.EQUALS, n("12"), "12.0", true),
                row(Op.EQUALS, n("12"), "12", true),
                row(Op.EQUALS, "12.0", n("12"), true),
                row(Op.EQUALS, n("12.0"), n("12"), true),
                row(Op.EQUALS, n("12"), "12.5", false),
                row(Op.EQUALS, n("12"), "twelve", false),
                row(Op.NOT_EQUALS, n("12"), "12.0", false),
                row(Op.NOT_EQUALS, n("12"), "twelve", true),
                // Two strings compare as text, even when both look numeric.
                row(Op.EQUALS, "12", "12.0", false),
                row(Op.EQUALS, "12.0", "12", false),
                row(Op.EQUALS, "12", "12", true),
                row(Op.NOT_EQUALS, "12", "12.0", true),
                // Booleans equal only booleans.
                row(Op.EQUALS, true, true, true),
                row(Op.EQUALS, true, false, false),
                row(Op.EQUALS, true, "true", false),
                row(Op.EQUALS, "true", true, false),
                row(Op.EQUALS, false, n("0"), false),
                row(Op.EQUALS, n("1"), true, false),
                row(Op.NOT_EQUALS, true, "true", true),
                row(Op.NOT_EQUALS, false, false, false));
    }

    static Stream<Arguments> substringsAndGlobs() {
        return Stream.of(
                row(Op.CONTAINS, "OE", "shoes", true),
                row(Op.CONTAINS, "", "shoes", true),
                row(Op.CONTAINS, "hat", "shoes", false),
                row(Op.NOT_CONTAINS, "OE", "shoes", false),
                row(Op.NOT_CONTAINS, "hat", "shoes", true),
                // contains/matches on a number is the wrong kind: false; not_contains then holds.
                row(Op.CONTAINS, "1", n("12"), false),
                row(Op.MATCHES, "1*", n("12"), false),
                row(Op.NOT_CONTAINS, "1", n("12"), true),
                row(Op.CONTAINS, "tru", true, false),
                row(Op.NOT_CONTAINS, "tru", true, true),
                row(Op.MATCHES, "sh*S", "SHOES", true),
                row(Op.MATCHES, "sh?es", "shoes", true),
                row(Op.MATCHES, "sh?es", "shoooes", false),
                row(Op.MATCHES, "sh*", "shoes", true),
                row(Op.MATCHES, "*es", "shoes", true),
                row(Op.MATCHES, "*", "", true),
                row(Op.MATCHES, "?", "", false),
                // The glob spans the whole string: no implicit leading or trailing run.
                row(Op.MATCHES, "hoe", "shoes", false),
                row(Op.MATCHES, "sho", "shoes", false),
                row(Op.MATCHES, "shoes", "shoes", true),
                // Everything but * and ? is literal.
                row(Op.MATCHES, "a.c", "abc", false),
                row(Op.MATCHES, "a.c", "A.C", true),
                row(Op.MATCHES, "[ab]*", "a", false),
                row(Op.MATCHES, "(x)+", "(X)+", true),
                row(Op.MATCHES, "line*", "line1\nline2", true));
    }

    static Stream<Arguments> membership() {
        List<Object> values = List.of("US", n("12"), true);
        return Stream.of(
                row(Op.IN, values, "us", true),
                row(Op.IN, values, "CA", false),
                row(Op.IN, values, "12.0", true),
                row(Op.IN, values, n("12.00"), true),
                row(Op.IN, values, true, true),
                row(Op.IN, values, "true", false),
                row(Op.IN, List.of("12"), "12.0", false),
                row(Op.IN, List.of(false), true, false));
    }

    static Stream<Arguments> numeric() {
        BigDecimal[] range = {n("10"), n("20")};
        return Stream.of(
                row(Op.GT, n("10"), n("10.5"), true),
                row(Op.GT, n("10"), n("10"), false),
                row(Op.GTE, n("10"), n("10"), true),
                row(Op.GTE, n("10"), n("9.99"), false),
                row(Op.LT, n("10"), n("-3"), true),
                row(Op.LT, n("10"), n("10"), false),
                row(Op.LTE, n("10"), n("10.0"), true),
                row(Op.LTE, n("10"), n("10.01"), false),
                // A numeric string counts as its number.
                row(Op.GT, n("10"), "11", true),
                row(Op.GT, n("10"), "1e2", true),
                row(Op.LT, n("10"), "-0.5", true),
                row(Op.GTE, n("10"), "10.0", true),
                // The wrong kind makes a numeric operator false.
                row(Op.GT, n("10"), "eleven", false),
                row(Op.LT, n("10"), "eleven", false),
                row(Op.GT, n("0"), true, false),
                row(Op.LT, n("10"), false, false),
                row(Op.GT, n("0"), "", false),
                // Beyond the double range a number still compares by value.
                row(Op.GT, n("1E+308"), "1e400", true),
                row(Op.EQUALS, n("1E+400"), "1e400", true),
                // Number syntax, but no BigDecimal can hold it: taken as text, never a crash.
                row(Op.GT, n("0"), "1e2147483648", false),
                row(Op.EQUALS, "1e2147483648", "1E2147483648", true),
                row(Op.NOT_EQUALS, n("1"), "1e2147483648", true),
                // between is inclusive at both ends.
                row(Op.BETWEEN, range, n("10"), true),
                row(Op.BETWEEN, range, n("20"), true),
                row(Op.BETWEEN, range, n("15"), true),
                row(Op.BETWEEN, range, n("9.999"), false),
                row(Op.BETWEEN, range, n("20.001"), false),
                row(Op.BETWEEN, range, "20", true),
                row(Op.BETWEEN, range, "abc", false),
                row(Op.BETWEEN, range, true, false),
                row(Op.BETWEEN, new BigDecimal[] {n("5"), n("5")}, n("5"), true));
    }

    /** A list satisfies a positive operator through any element; the negations need none to. */
    static Stream<Arguments> lists() {
        List<String> list = List.of("Red", "12", "navy blue");
        return Stream.of(
                row(Op.EQUALS, "red", list, true),
                row(Op.EQUALS, "green", list, false),
                row(Op.EQUALS, n("12"), list, true),
                row(Op.EQUALS, "12.0", list, false),
                row(Op.NOT_EQUALS, "red", list, false),
                row(Op.NOT_EQUALS, "green", list, true),
                row(Op.NOT_EQUALS, n("12.0"), list, false),
                row(Op.CONTAINS, "BLUE", list, true),
                row(Op.CONTAINS, "pink", list, false),
                row(Op.NOT_CONTAINS, "BLUE", list, false),
                row(Op.NOT_CONTAINS, "pink", list, true),
                row(Op.MATCHES, "navy*", list, true),
                row(Op.MATCHES, "navy", list, false),
                row(Op.IN, List.of("green", "RED"), list, true),
                row(Op.IN, List.of("green", "pink"), list, false),
                row(Op.GT, n("11"), list, true),
                row(Op.GT, n("12"), list, false),
                row(Op.BETWEEN, new BigDecimal[] {n("0"), n("12")}, list, true),
                // An empty list has no element to satisfy a positive operator.
                row(Op.EQUALS, "red", List.of(), false),
                row(Op.GT, n("0"), List.of(), false),
                row(Op.NOT_EQUALS, "red", List.of(), true),
                row(Op.NOT_CONTAINS, "red", List.of(), true));
    }

    @ParameterizedTest(name = "{0} {1} on {2} -> {3}")
    @MethodSource({"existence", "missing", "equality", "substringsAndGlobs", "membership", "numeric", "lists"})
    void operator(Op op, Object value, Object attribute, boolean expected) {
        assertThat(new Comparison(op, value).test(attribute)).isEqualTo(expected);
    }

    /** On a present scalar, the negations are exactly "not" of their positive forms. */
    @Test
    void negationsComplementTheirPositiveFormsOnPresentScalars() {
        List<Object> attributes = List.of("shoes", "SHOES", "12", "12.0", n("12"), true, false, "", "sh");
        List<Object> values = List.of("shoes", "12", n("12"), true, "sh", "");
        for (Object attribute : attributes) {
            for (Object value : values) {
                boolean equals = new Comparison(Op.EQUALS, value).test(attribute);
                assertThat(new Comparison(Op.NOT_EQUALS, value).test(attribute))
                        .as("not_equals %s on %s", value, attribute).isEqualTo(!equals);
                if (value instanceof String) {
                    boolean contains = new Comparison(Op.CONTAINS, value).test(attribute);
                    assertThat(new Comparison(Op.NOT_CONTAINS, value).test(attribute))
                            .as("not_contains %s on %s", value, attribute).isEqualTo(!contains);
                }
            }
        }
    }

    /** Aggregates compare as numbers; "no value" (min/max/avg over nothing) fails every operator. */
    @Test
    void aggregateComparisons() {
        assertThat(new Comparison(Op.GT, n("100")).testNumber(n("100.01"))).isTrue();
        assertThat(new Comparison(Op.GTE, n("2")).testNumber(n("2"))).isTrue();
        assertThat(new Comparison(Op.LT, n("1")).testNumber(BigDecimal.ZERO)).isTrue();
        assertThat(new Comparison(Op.EQUALS, n("3")).testNumber(n("3.0"))).isTrue();
        assertThat(new Comparison(Op.NOT_EQUALS, n("3")).testNumber(n("3.0"))).isFalse();
        assertThat(new Comparison(Op.BETWEEN, new BigDecimal[] {n("1"), n("2")}).testNumber(n("2"))).isTrue();
        for (Op op : List.of(Op.GT, Op.GTE, Op.LT, Op.LTE, Op.EQUALS, Op.NOT_EQUALS)) {
            assertThat(new Comparison(op, n("0")).testNumber(null)).as(op.jsonName()).isFalse();
        }
        assertThat(new Comparison(Op.BETWEEN, new BigDecimal[] {n("-1"), n("1")}).testNumber(null)).isFalse();
    }
}
