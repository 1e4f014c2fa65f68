package org.audienceengine.evaluation;

import com.carrotsearch.hppc.LongObjectHashMap;
import org.audienceengine.definitions.Audience;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The inputs without which an audience's criteria is false: an event condition that no events
 * fail (a count of at least one, an aggregate with no value) needs a bucket of its series, an
 * attribute condition that no value fails needs the attribute; a conjunction needs what one of
 * its parts needs, a disjunction one of what each part needs. A profile holding none of an
 * audience's required inputs is not a member, which this tells for many audiences at once
 * without evaluating them.
 *
 * <p>A new user's first batch changes every field it carries — consent, identities, device,
 * first-seen time — and so reaches every audience reading one; most of those also need an event
 * or an attribute, and with hundreds of audiences most are not in the batch. The profile holds
 * the batch's inputs alone then, so those audiences are passed over.
 */
final class InputRequirements {
    /** Per series key: the audiences (by evaluation position) that one of its buckets may satisfy. */
    private final LongObjectHashMap<BitSet> bySeries = new LongObjectHashMap<>();
    /** The same per field input (named as {@link AudienceInputs} names them). */
    private final Map<String, BitSet> byField = new HashMap<>();
    /** The audiences with a requirement. */
    private final BitSet requiring = new BitSet();

    InputRequirements(List<Audience> inEvaluationOrder) {
        for (int i = 0; i < inEvaluationOrder.size(); i++) {
            Audience a = inEvaluationOrder.get(i);
            List<Object> any = a.enabled() ? of(a.criteria()) : null;
            if (any == null) {
                continue;
            }
            requiring.set(i);
            for (Object input : any) {
                BitSet readers = input instanceof Long key ? AudienceInputs.readers(bySeries, key)
                        : byField.computeIfAbsent((String) input, k -> new BitSet());
                readers.set(i);
            }
        }
    }

    /** Marks the audiences whose requirement a bucket of this series meets. */
    void seriesMet(long seriesKey, BitSet met) {
        BitSet readers = bySeries.get(seriesKey);
        if (readers != null) {
            met.or(readers);
        }
    }

    /** Marks the audiences whose requirement this field input, now holding a value, meets. */
    void fieldMet(String input, BitSet met) {
        BitSet readers = byField.get(input);
        if (readers != null) {
            met.or(readers);
        }
    }

    /**
     * Clears from {@code affected} the audiences with a requirement that {@code met} does not
     * hold; {@code met} is left with those of them it holds.
     */
    void dropUnmet(BitSet affected, BitSet met) {
        met.and(affected);
        affected.andNot(requiring);
        affected.or(met);
    }

    /**
     * The inputs (series keys as {@code Long}, field inputs as {@code String}) of which the
     * condition needs one to hold something to be true, or null if it needs none.
     */
    static List<Object> of(Condition c) {
        if (c instanceof Conditions.EventAggregate e) {
            // What the condition reads when the series has no bucket.
            return e.comparison().testNumber(e.value(null, 0)) ? null : List.of(e.seriesKey());
        }
        if (c instanceof Conditions.UserAttribute attribute) {
            return attribute.comparison().test(null) ? null : List.of(AudienceInputs.attribute(attribute.name()));
        }
        if (c instanceof Conditions.All all) {
            List<Object> fewest = null;
            for (Condition part : all.parts()) {
                List<Object> p = of(part);
                fewest = p != null && (fewest == null || p.size() < fewest.size()) ? p : fewest;
            }
            return fewest;
        }
        if (c instanceof Conditions.Any any) {
            List<Object> inputs = new ArrayList<>();
            for (Condition part : any.parts()) {
                List<Object> p = of(part);
                if (p == null) {
                    return null;
                }
                p.stream().filter(input -> !inputs.contains(input)).forEach(inputs::add);
            }
            return inputs.isEmpty() ? null : inputs;
        }
        return null;
    }
}
