package org.audienceengine.evaluation;

import com.carrotsearch.hppc.LongObjectHashMap;
import org.audienceengine.definitions.Audience;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The event series without which an audience's criteria is false: an event condition that no
 * events fail (a count of at least one, an aggregate with no value), a conjunction holding one,
 * a disjunction of such conditions (any of their series). A profile without a bucket of any of
 * an audience's required series is not a member of it, which this tells for many audiences at
 * once without evaluating them.
 *
 * <p>A new user's first batch changes every field it carries — consent, identities, device,
 * first-seen time — and so reaches every audience reading one; most of those are conjunctions
 * with an event condition, and with hundreds of audiences most of their events are not in the
 * batch. Only the batch's series are in the profile then, so those audiences are passed over.
 */
final class SeriesRequirements {
    /** Per series key: the audiences (by evaluation position) that one of its buckets may satisfy. */
    private final LongObjectHashMap<BitSet> satisfiedBy = new LongObjectHashMap<>();
    /** The audiences with a requirement. */
    private final BitSet requiring = new BitSet();

    SeriesRequirements(List<Audience> inEvaluationOrder) {
        for (int i = 0; i < inEvaluationOrder.size(); i++) {
            Audience a = inEvaluationOrder.get(i);
            long[] any = a.enabled() ? of(a.criteria()) : null;
            if (any != null) {
                requiring.set(i);
                for (long key : any) {
                    BitSet readers = satisfiedBy.get(key);
                    if (readers == null) {
                        readers = new BitSet();
                        satisfiedBy.put(key, readers);
                    }
                    readers.set(i);
                }
            }
        }
    }

    /** Marks the audiences whose requirement a bucket of this series meets. */
    void met(long seriesKey, BitSet met) {
        BitSet readers = satisfiedBy.get(seriesKey);
        if (readers != null) {
            met.or(readers);
        }
    }

    /** Clears from {@code affected} the audiences with a requirement that {@code met} does not hold. */
    void dropUnmet(BitSet affected, BitSet met) {
        BitSet unmet = (BitSet) requiring.clone();
        unmet.andNot(met);
        affected.andNot(unmet);
    }

    /** Series of which the condition needs one to hold a bucket to be true, or null if it needs none. */
    static long[] of(Condition c) {
        if (c instanceof Conditions.EventAggregate e) {
            // What the condition reads when the series has no bucket.
            return e.comparison().testNumber(e.value(null, 0)) ? null : new long[] {e.seriesKey()};
        }
        if (c instanceof Conditions.All all) {
            long[] fewest = null;
            for (Condition part : all.parts()) {
                long[] p = of(part);
                fewest = p != null && (fewest == null || p.length < fewest.length) ? p : fewest;
            }
            return fewest;
        }
        if (c instanceof Conditions.Any any) {
            List<Long> keys = new ArrayList<>();
            for (Condition part : any.parts()) {
                long[] p = of(part);
                if (p == null) {
                    return null;
                }
                for (long key : p) {
                    if (!keys.contains(key)) {
                        keys.add(key);
                    }
                }
            }
            return keys.isEmpty() ? null : keys.stream().mapToLong(Long::longValue).toArray();
        }
        return null;
    }
}
