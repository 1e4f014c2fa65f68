package org.audienceengine.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import org.audienceengine.evaluation.Conditions.Aggregate;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;

class DirectionTest {
    private static Condition aggregate(Aggregate aggregate, Op op) {
        return new Conditions.EventAggregate(1L, null, aggregate, new Comparison(op, BigDecimal.TEN));
    }

    private static final Condition ATTRIBUTE = new Conditions.UserAttribute("plan", new Comparison(Op.EQUALS, "pro"));

    @Test
    void countsAndSumsMoveWithTheirThreshold() {
        assertThat(Direction.of(aggregate(Aggregate.COUNT, Op.GTE))).isEqualTo(Direction.UP);
        assertThat(Direction.of(aggregate(Aggregate.SUM, Op.GT))).isEqualTo(Direction.UP);
        assertThat(Direction.of(aggregate(Aggregate.COUNT, Op.LT))).isEqualTo(Direction.DOWN);
        assertThat(Direction.of(aggregate(Aggregate.COUNT, Op.EQUALS))).isEqualTo(Direction.ANY);
        assertThat(Direction.of(aggregate(Aggregate.COUNT, Op.BETWEEN))).isEqualTo(Direction.ANY);
    }

    @Test
    void extremesMoveOneWayOnlyAndAveragesEither() {
        assertThat(Direction.of(aggregate(Aggregate.MAX, Op.GTE))).isEqualTo(Direction.UP);
        assertThat(Direction.of(aggregate(Aggregate.MIN, Op.LTE))).isEqualTo(Direction.UP);
        // A first value can make "max < 10" true and a later one false again.
        assertThat(Direction.of(aggregate(Aggregate.MAX, Op.LT))).isEqualTo(Direction.ANY);
        assertThat(Direction.of(aggregate(Aggregate.MIN, Op.GT))).isEqualTo(Direction.ANY);
        assertThat(Direction.of(aggregate(Aggregate.AVG, Op.GTE))).isEqualTo(Direction.ANY);
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
