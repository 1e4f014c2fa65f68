package org.audienceengine.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import org.audienceengine.evaluation.Conditions.Aggregate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;
import java.util.List;

class DirectionTest {
    private static Condition aggregate(Aggregate aggregate, Op op) {
        return new Conditions.EventAggregate(1L, null, aggregate, new Comparison(op, BigDecimal.TEN), 0);
    }

    private static final Condition ATTRIBUTE = new Conditions.UserAttribute("plan", new Comparison(Op.EQUALS, "pro"));

    @ParameterizedTest(name = "{0} {1}: {2}")
    @CsvSource({
        "COUNT, GTE, UP", "SUM, GT, UP", "COUNT, LT, DOWN", "COUNT, EQUALS, ANY", "COUNT, BETWEEN, ANY",
        "MAX, GTE, UP", "MIN, LTE, UP",
        // A first value can make "max < 10" true and a later one false again.
        "MAX, LT, ANY", "MIN, GT, ANY",
        "AVG, GTE, ANY",
    })
    void aggregatesMoveWithTheirThresholdExtremesOneWayOnly(Aggregate aggregate, Op op, Direction expected) {
        assertThat(Direction.of(aggregate(aggregate, op))).isEqualTo(expected);
    }

    @Test
    void combinationsKeepOneDirectionOrHaveNone() {
        Condition up = aggregate(Aggregate.COUNT, Op.GTE);
        Condition down = aggregate(Aggregate.COUNT, Op.LT);
        assertThat(Direction.of(new Conditions.All(List.of(up, ATTRIBUTE)))).isEqualTo(Direction.UP);
        assertThat(Direction.of(new Conditions.Any(List.of(down, ATTRIBUTE)))).isEqualTo(Direction.DOWN);
        assertThat(Direction.of(new Conditions.Not(up))).isEqualTo(Direction.DOWN);
        assertThat(Direction.of(new Conditions.All(List.of(up, new Conditions.Not(up))))).isEqualTo(Direction.ANY);
        assertThat(Direction.of(new Conditions.All(List.of(up, new Conditions.InAudience(3))))).isEqualTo(Direction.ANY);
        assertThat(Direction.of(ATTRIBUTE)).isEqualTo(Direction.CONSTANT);
    }

    @Test
    void aMemberOfARisingCriteriaStaysAndANonMemberOfAFallingOneStaysOut() {
        assertThat(Direction.UP.holds(true)).isTrue();
        assertThat(Direction.UP.holds(false)).isFalse();
        assertThat(Direction.DOWN.holds(false)).isTrue();
        assertThat(Direction.DOWN.holds(true)).isFalse();
        assertThat(Direction.ANY.holds(true)).isFalse();
        assertThat(Direction.ANY.holds(false)).isFalse();
    }
}
