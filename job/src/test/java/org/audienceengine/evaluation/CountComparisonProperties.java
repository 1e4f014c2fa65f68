package org.audienceengine.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;

/** A count compared as a long decides as the count made a decimal does, for every operator and operand. */
class CountComparisonProperties {

    @Property(tries = 5000)
    void decidesAsTheDecimalDoes(@ForAll("comparisons") Comparison comparison, @ForAll("counts") long count) {
        boolean expected = comparison.testNumber(BigDecimal.valueOf(count));
        Statistics.label("holds").collect(expected);
        assertThat(comparison.testCount(count)).isEqualTo(expected);
    }

    @Provide
    Arbitrary<Comparison> comparisons() {
        Arbitrary<Op> ops = Arbitraries.of(Op.EQUALS, Op.NOT_EQUALS, Op.GT, Op.GTE, Op.LT, Op.LTE);
        Arbitrary<Comparison> single = Combinators.combine(ops, operands()).as(Comparison::new);
        Arbitrary<Comparison> between = Combinators.combine(operands(), operands())
                .as((a, b) -> new Comparison(Op.BETWEEN, new BigDecimal[] {a.min(b), a.max(b)}));
        Arbitrary<Comparison> in = operands().list().ofMinSize(1).ofMaxSize(3)
                .map(values -> new Comparison(Op.IN, List.copyOf(values)));
        // Equality with a string never holds for a count (the validator admits no string for the others).
        Arbitrary<Comparison> text = Arbitraries.of(Op.EQUALS, Op.NOT_EQUALS).map(op -> new Comparison(op, "3"));
        return Arbitraries.frequencyOf(
                Tuple.of(6, single), Tuple.of(1, between),
                Tuple.of(1, in), Tuple.of(1, text));
    }

    /** Whole numbers in many scales (3, 3.00, 3E+1), fractions, and numbers past the long range. */
    private static Arbitrary<BigDecimal> operands() {
        Arbitrary<BigInteger> unscaled = Arbitraries.oneOf(
                Arbitraries.longs().between(-5, 40).map(BigInteger::valueOf),
                Arbitraries.longs().map(BigInteger::valueOf),
                Arbitraries.bigIntegers().between(BigInteger.TEN.pow(21).negate(), BigInteger.TEN.pow(21)));
        return Combinators.combine(unscaled, Arbitraries.integers().between(-3, 3)).as(BigDecimal::new);
    }

    @Provide
    Arbitrary<Long> counts() {
        return Arbitraries.oneOf(Arbitraries.longs().between(0, 40), Arbitraries.longs().between(0, Long.MAX_VALUE),
                Arbitraries.of(Long.MAX_VALUE));
    }
}
