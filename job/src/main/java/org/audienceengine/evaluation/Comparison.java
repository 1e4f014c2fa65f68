package org.audienceengine.evaluation;

import java.io.Serializable;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An operator with its value, applied to an attribute value: String, BigDecimal, Boolean, a
 * List of Strings (user attribute lists), or null when the attribute is missing. Implements the
 * missing / list / wrong-kind rules of audiences.md "Operators".
 */
public final class Comparison implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Pattern NUMERIC = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");

    private final Op op;
    /** String, BigDecimal or Boolean; for IN a List of them; for BETWEEN a BigDecimal[2]. */
    private final Object value;
    private final String lowerValue;
    private final Pattern glob;
    /** The operand as a long where it is a whole number in range: a count compares with it as a long. */
    private final boolean wholeOperand;
    private final long operand;

    public Comparison(Op op, Object value) {
        this.op = op;
        this.value = value;
        this.lowerValue = value instanceof String s ? s.toLowerCase(Locale.ROOT) : null;
        this.glob = op == Op.MATCHES ? globPattern((String) value) : null;
        Long whole = value instanceof BigDecimal d ? wholeValue(d) : null;
        this.wholeOperand = whole != null;
        this.operand = whole == null ? 0 : whole;
    }

    private static Long wholeValue(BigDecimal d) {
        try {
            return d.longValueExact();
        } catch (ArithmeticException fractionOrOutOfRange) {
            return null;
        }
    }

    public Op op() {
        return op;
    }

    /** The operator and its value in words: {@code ≥ 2}, {@code = "pro"}, {@code exists}. */
    public String describe() {
        return switch (op) {
            case EXISTS -> "exists";
            case NOT_EXISTS -> "does not exist";
            case EQUALS -> "= " + show(value);
            case NOT_EQUALS -> "≠ " + show(value);
            case CONTAINS -> "contains " + show(value);
            case NOT_CONTAINS -> "does not contain " + show(value);
            case MATCHES -> "matches " + show(value);
            case IN -> "in " + show(value);
            case GT -> "> " + show(value);
            case GTE -> "≥ " + show(value);
            case LT -> "< " + show(value);
            case LTE -> "≤ " + show(value);
            case BETWEEN -> "between " + show(((BigDecimal[]) value)[0]) + " and " + show(((BigDecimal[]) value)[1]);
        };
    }

    /** An attribute or operand value as it reads in a definition: strings quoted, numbers plain; null stays null. */
    public static String show(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof String s) {
            return '"' + s + '"';
        }
        if (v instanceof BigDecimal d) {
            return d.stripTrailingZeros().toPlainString();
        }
        if (v instanceof List<?> list) {
            StringBuilder out = new StringBuilder("[");
            for (Object element : list) {
                out.append(out.length() > 1 ? ", " : "").append(show(element));
            }
            return out.append(']').toString();
        }
        return String.valueOf(v);
    }

    public boolean test(Object attribute) {
        if (attribute == null) {
            return op == Op.NOT_EXISTS;
        }
        if (op == Op.EXISTS) {
            return true;
        }
        if (op == Op.NOT_EXISTS) {
            return false;
        }
        if (attribute instanceof List<?> list) {
            // A list satisfies a positive operator through any element; the negations hold when
            // no element satisfies their positive form.
            if (op == Op.NOT_EQUALS || op == Op.NOT_CONTAINS) {
                Op positive = op == Op.NOT_EQUALS ? Op.EQUALS : Op.CONTAINS;
                for (Object element : list) {
                    if (testScalar(positive, element)) {
                        return false;
                    }
                }
                return true;
            }
            for (Object element : list) {
                if (testScalar(op, element)) {
                    return true;
                }
            }
            return false;
        }
        return testScalar(op, attribute);
    }

    private boolean testScalar(Op o, Object v) {
        switch (o) {
            case EQUALS:
                return valuesEqual(v, value);
            case NOT_EQUALS:
                return !valuesEqual(v, value);
            case CONTAINS:
                return v instanceof String s && s.toLowerCase(Locale.ROOT).contains(lowerValue);
            case NOT_CONTAINS:
                return !(v instanceof String s && s.toLowerCase(Locale.ROOT).contains(lowerValue));
            case MATCHES:
                return v instanceof String s && glob.matcher(s).matches();
            case IN:
                for (Object candidate : (List<?>) value) {
                    if (valuesEqual(v, candidate)) {
                        return true;
                    }
                }
                return false;
            default:
                return compareNumber(o, numeric(v));
        }
    }

    /** Compares an aggregate (null = "no value", which makes every comparison false). */
    public boolean testNumber(BigDecimal aggregate) {
        if (aggregate == null) {
            return false;
        }
        return switch (op) {
            case EQUALS -> value instanceof BigDecimal d && aggregate.compareTo(d) == 0;
            case NOT_EQUALS -> value instanceof BigDecimal d && aggregate.compareTo(d) != 0;
            case IN -> ((List<?>) value).stream().anyMatch(c -> c instanceof BigDecimal d && aggregate.compareTo(d) == 0);
            default -> compareNumber(op, aggregate);
        };
    }

    /**
     * As {@code testNumber(BigDecimal.valueOf(count))}: most aggregates are counts, compared with
     * a whole number, and making a decimal of each count was most of testing it.
     */
    public boolean testCount(long count) {
        if (!wholeOperand) {
            return testNumber(BigDecimal.valueOf(count));
        }
        return switch (op) {
            case EQUALS -> count == operand;
            case NOT_EQUALS -> count != operand;
            case GT -> count > operand;
            case GTE -> count >= operand;
            case LT -> count < operand;
            case LTE -> count <= operand;
            default -> testNumber(BigDecimal.valueOf(count));
        };
    }

    private boolean compareNumber(Op o, BigDecimal x) {
        if (x == null) {
            return false;
        }
        return switch (o) {
            case GT -> x.compareTo((BigDecimal) value) > 0;
            case GTE -> x.compareTo((BigDecimal) value) >= 0;
            case LT -> x.compareTo((BigDecimal) value) < 0;
            case LTE -> x.compareTo((BigDecimal) value) <= 0;
            case BETWEEN -> {
                BigDecimal[] range = (BigDecimal[]) value;
                yield x.compareTo(range[0]) >= 0 && x.compareTo(range[1]) <= 0;
            }
            default -> false;
        };
    }

    /**
     * Equality of audiences.md: text case-insensitively; a number equals a number or a numeric
     * string of the same value; booleans equal only booleans; two strings always compare as text.
     */
    static boolean valuesEqual(Object a, Object b) {
        if (a instanceof Boolean || b instanceof Boolean) {
            return a instanceof Boolean && a.equals(b);
        }
        if (a instanceof String sa && b instanceof String sb) {
            return sa.equalsIgnoreCase(sb);
        }
        BigDecimal x = numeric(a);
        BigDecimal y = numeric(b);
        return x != null && y != null && x.compareTo(y) == 0;
    }

    /** A number, or a string holding one, as a BigDecimal; null for anything else. */
    static BigDecimal numeric(Object v) {
        if (v instanceof BigDecimal d) {
            return d;
        }
        if (v instanceof String s && NUMERIC.matcher(s).matches()) {
            try {
                return new BigDecimal(s);
            } catch (NumberFormatException exponentOverflow) {
                // "1e2147483648" has the form of a number but no BigDecimal holds it; taken as text.
                return null;
            }
        }
        return null;
    }

    private static Pattern globPattern(String glob) {
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : glob.toCharArray()) {
            if (c == '*' || c == '?') {
                if (literal.length() > 0) {
                    regex.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                regex.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (literal.length() > 0) {
            regex.append(Pattern.quote(literal.toString()));
        }
        return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.DOTALL);
    }
}
