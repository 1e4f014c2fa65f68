package org.audienceengine.evaluation;

import java.math.BigDecimal;
import java.util.Arrays;

/**
 * The event aggregates of one evaluation, by slot: conditions over the same series, window and
 * aggregate (hundreds of audiences share a few hundred of them) read a value computed once per
 * evaluation. One per evaluator, reused from one evaluation to the next: a stamp says which
 * evaluation a value belongs to, so that starting one clears nothing.
 */
final class AggregateMemo {
    private final int[] stamps;
    private final long[] counts;
    private final BigDecimal[] values;
    private int evaluation;

    AggregateMemo(int slots) {
        stamps = new int[slots];
        counts = new long[slots];
        values = new BigDecimal[slots];
    }

    /** Starts an evaluation: nothing kept before is read again. */
    void next() {
        if (++evaluation == Integer.MAX_VALUE) {
            Arrays.fill(stamps, 0);
            evaluation = 1;
        }
    }

    long count(Conditions.EventAggregate e, EvaluationContext c) {
        int slot = e.slot();
        if (!kept(slot)) {
            counts[slot] = e.count(c.profile.series.get(e.seriesKey()), c.at);
        }
        return counts[slot];
    }

    BigDecimal value(Conditions.EventAggregate e, EvaluationContext c) {
        int slot = e.slot();
        if (!kept(slot)) {
            values[slot] = e.value(c.profile.series.get(e.seriesKey()), c.at);
        }
        return values[slot];
    }

    /** Whether the slot holds this evaluation's value; if not, it is marked as about to. */
    private boolean kept(int slot) {
        if (stamps[slot] == evaluation) {
            return true;
        }
        stamps[slot] = evaluation;
        return false;
    }
}
