package org.audienceengine.reference;

import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** The operators of audiences.md "Operators", read literally, for the reference evaluator. */
final class RefValues {
    /** A numeric string is one that is a JSON number (within BigDecimal's exponent range). */
    private static final Pattern JSON_NUMBER = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");

    private RefValues() {}

    /** Whether {@code attribute} (null when missing) satisfies {@code op value}. */
    static boolean test(String op, Object value, Object attribute) {
        if (attribute == null) {
            return op.equals("not_exists");
        }
        if (op.equals("exists")) {
            return true;
        }
        if (op.equals("not_exists")) {
            return false;
        }
        if (attribute instanceof List<?> list) {
            if (op.equals("not_equals") || op.equals("not_contains")) {
                String positive = op.substring("not_".length());
                return list.stream().noneMatch(e -> scalar(positive, value, e));
            }
            return list.stream().anyMatch(e -> scalar(op, value, e));
        }
        return scalar(op, value, attribute);
    }

    private static boolean scalar(String op, Object value, Object x) {
        switch (op) {
            case "equals":
                return same(x, value);
            case "not_equals":
                return !same(x, value);
            case "contains":
                return contains(x, value);
            case "not_contains":
                return !contains(x, value);
            case "in":
                return ((List<?>) value).stream().anyMatch(candidate -> same(x, candidate));
            default:
                BigDecimal n = number(x);
                return n != null && compare(op, n, (BigDecimal) value);
        }
    }

    private static boolean contains(Object x, Object value) {
        return x instanceof String s
                && s.toLowerCase(Locale.ROOT).contains(((String) value).toLowerCase(Locale.ROOT));
    }

    /** Equality: booleans only with booleans, two strings as text, otherwise by numeric value. */
    static boolean same(Object a, Object b) {
        if (a instanceof Boolean || b instanceof Boolean) {
            return a instanceof Boolean && b instanceof Boolean && a.equals(b);
        }
        if (a instanceof String sa && b instanceof String sb) {
            return sa.toLowerCase(Locale.ROOT).equals(sb.toLowerCase(Locale.ROOT));
        }
        BigDecimal x = number(a);
        BigDecimal y = number(b);
        return x != null && y != null && x.compareTo(y) == 0;
    }

    /** The number a value stands for: a number, or a string that is one; null otherwise. */
    static BigDecimal number(Object v) {
        if (v instanceof BigDecimal d) {
            return d;
        }
        if (v instanceof String s && JSON_NUMBER.matcher(s).matches()) {
            try {
                return new BigDecimal(s);
            } catch (NumberFormatException exponentOverflow) {
                // "1e2147483648": JSON number syntax, but no number the engine can hold.
                return null;
            }
        }
        return null;
    }

    /** A numeric comparison of x against v (gt gte lt lte equals not_equals). */
    static boolean compare(String op, BigDecimal x, BigDecimal v) {
        int c = x.compareTo(v);
        return switch (op) {
            case "gt" -> c > 0;
            case "gte" -> c >= 0;
            case "lt" -> c < 0;
            case "lte" -> c <= 0;
            case "equals" -> c == 0;
            case "not_equals" -> c != 0;
            default -> throw new IllegalArgumentException("not a numeric operator: " + op);
        };
    }
}
