package org.audienceengine.evaluation;

import org.audienceengine.evaluation.Conditions.Aggregate;

import java.util.List;

/**
 * How a criteria tree can move when a batch only adds events (none with a negative value) and
 * changes nothing else it reads: a count or a sum grows, a maximum rises, a minimum falls.
 *
 * <p>Before a batch, every instant up to its time has been evaluated, so the user's membership
 * holds at that time for the events already held. A criteria that can only become true
 * ({@link #UP}) cannot be left by adding events, nor one that can only become false
 * ({@link #DOWN}) be entered: such an audience is not evaluated for a member, or a non-member,
 * respectively. Most audiences over events are counts at least N, and most batches of a member
 * leave them members.
 */
public enum Direction {
    /** Reads no event series: adding events leaves it as it is. */
    CONSTANT,
    /** Adding events can only turn it from false to true. */
    UP,
    /** Adding events can only turn it from true to false. */
    DOWN,
    /** Either, or unknown (averages, equalities, ranges, nested audiences). */
    ANY;

    public static Direction of(Condition c) {
        if (c instanceof Conditions.All all) {
            return combine(all.parts());
        }
        if (c instanceof Conditions.Any any) {
            return combine(any.parts());
        }
        if (c instanceof Conditions.Not not) {
            return of(not.inner()).negate();
        }
        if (c instanceof Conditions.EventAggregate e) {
            return ofAggregate(e.aggregate(), e.comparison().op());
        }
        if (c instanceof Conditions.InAudience) {
            // The referenced audience may flip in the same evaluation.
            return ANY;
        }
        // Attributes, identities, device, consent, location, first seen: a batch that changes
        // them marks the audience changed by a field, which is always evaluated.
        return CONSTANT;
    }

    private static Direction ofAggregate(Aggregate aggregate, Op op) {
        boolean atLeast = op == Op.GT || op == Op.GTE;
        boolean atMost = op == Op.LT || op == Op.LTE;
        return switch (aggregate) {
            // Both grow with non-negative additions (the sum's rounding keeps its order).
            case COUNT, SUM -> atLeast ? UP : atMost ? DOWN : ANY;
            // "No value" compares false: a first value can make "max < v" true, so only one side.
            case MAX -> atLeast ? UP : ANY;
            case MIN -> atMost ? UP : ANY;
            case AVG -> ANY;
        };
    }

    private static Direction combine(List<Condition> parts) {
        Direction d = CONSTANT;
        for (Condition part : parts) {
            Direction p = of(part);
            if (p == ANY || (d != CONSTANT && p != CONSTANT && p != d)) {
                return ANY;
            }
            d = p == CONSTANT ? d : p;
        }
        return d;
    }

    private Direction negate() {
        return switch (this) {
            case UP -> DOWN;
            case DOWN -> UP;
            default -> this;
        };
    }

    /** Whether a batch that only adds events can leave {@code member} as it is without evaluation. */
    boolean holds(boolean member) {
        return member ? this == UP || this == CONSTANT : this == DOWN || this == CONSTANT;
    }
}
