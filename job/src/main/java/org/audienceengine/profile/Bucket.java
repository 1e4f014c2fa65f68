package org.audienceengine.profile;

import java.math.BigDecimal;
import java.math.MathContext;

/**
 * What one time bucket of one event series holds: a count and the numeric aggregates. The
 * aggregates are decimals, not doubles: audiences compare them with thresholds ("sum gt 0.3"),
 * where binary rounding would flip memberships (0.1 + 0.2 > 0.3 in double), and a value past the
 * double range (1e400) would become Infinity. 34 significant digits bound the cost of each value.
 */
public final class Bucket {
    public static final MathContext PRECISION = MathContext.DECIMAL128;

    public long count;
    /** How many of the counted events had a numeric value of the series' attribute. */
    public long numericCount;
    public BigDecimal sum = BigDecimal.ZERO;
    /** Null while numericCount is 0. */
    public BigDecimal min;
    public BigDecimal max;

    public void add(BigDecimal numericValue) {
        count++;
        if (numericValue != null) {
            BigDecimal v = numericValue.round(PRECISION);
            numericCount++;
            sum = sum.add(v, PRECISION);
            min = min == null || v.compareTo(min) < 0 ? v : min;
            max = max == null || v.compareTo(max) > 0 ? v : max;
        }
    }
}
