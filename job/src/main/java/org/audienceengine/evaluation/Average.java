package org.audienceengine.evaluation;

import org.audienceengine.profile.BucketSeries;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * An aggregate's average, {@code sum.divide(count, DECIMAL128)} to the digit and the scale. Most
 * averages of amounts divide exactly within a few digits, and for those the division of
 * {@link BigDecimal} pads the quotient to 34 digits and then strips the zeros one BigInteger
 * division at a time; here an exact quotient is found in {@code long} arithmetic instead, and only
 * quotients that do not end (or do not fit) go to {@link BigDecimal#divide}.
 */
final class Average {
    private static final int MAX_EXTRA_DIGITS = 18;

    private Average() {}

    static BigDecimal of(BigDecimal sum, long count) {
        if (count > 0 && sum.precision() <= 18) {
            BigInteger unscaled = sum.unscaledValue();
            long u = unscaled.longValue();
            // The smallest scale at or above the sum's at which the quotient is exact is the one
            // BigDecimal keeps: it strips trailing zeros down to the preferred scale, the sum's.
            for (int extra = 0; extra <= MAX_EXTRA_DIGITS; extra++) {
                if (u % count == 0) {
                    return BigDecimal.valueOf(u / count, sum.scale() + extra);
                }
                if (Math.abs(u) > Long.MAX_VALUE / 10) {
                    break;
                }
                u *= 10;
            }
        }
        return sum.divide(BigDecimal.valueOf(count), BucketSeries.PRECISION);
    }
}
