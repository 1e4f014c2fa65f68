package org.audienceengine.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

import org.audienceengine.profile.BucketSeries;

import java.math.BigDecimal;
import java.math.BigInteger;

/** The average's shortcut gives what BigDecimal's division gives, value and scale, on any sum. */
class AverageProperties {

    @Property(tries = 5000)
    void equalsBigDecimalDivision(@ForAll("sums") BigDecimal sum, @ForAll("counts") long count) {
        BigDecimal expected = sum.divide(BigDecimal.valueOf(count), BucketSeries.PRECISION);
        BigDecimal actual = Average.of(sum, count);
        Statistics.label("ends").collect(expected.precision() < 34);
        assertThat(actual).isEqualTo(expected); // equals: the same digits and the same scale
    }

    @Provide
    Arbitrary<BigDecimal> sums() {
        Arbitrary<BigInteger> unscaled = Arbitraries.oneOf(
                Arbitraries.longs().between(-1_000_000, 1_000_000).map(BigInteger::valueOf),
                Arbitraries.longs().map(BigInteger::valueOf),
                Arbitraries.bigIntegers().between(BigInteger.TEN.pow(30).negate(), BigInteger.TEN.pow(30)));
        return Combinators.combine(unscaled, Arbitraries.integers().between(-4, 12)).as(BigDecimal::new);
    }

    @Provide
    Arbitrary<Long> counts() {
        return Arbitraries.oneOf(Arbitraries.longs().between(1, 40),
                Arbitraries.of(64L, 125L, 1_000L, 1L << 40, 999_983L, Long.MAX_VALUE));
    }
}
