package org.audienceengine.evaluation;

import com.carrotsearch.hppc.LongObjectHashMap;
import org.audienceengine.definitions.Audience;
import org.audienceengine.ingest.DeviceIdentities;

import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * What each audience reads, indexed the other way round: from an input (an event series, a user
 * attribute, an identity, a device field, a consent purpose, the location, the first-seen time)
 * to the audiences that read it, by their position in evaluation order. Between two instants an
 * audience's membership can change only when something it reads changes, so an update evaluates
 * only the audiences its changes reach, and the nested audiences that refer to them.
 */
public final class AudienceInputs {

    /** The input names of {@link #byField}. */
    public static final String LOCATION = "location";
    public static final String FIRST_SEEN = "first_seen";

    public static String attribute(String name) {
        return "attribute:" + name;
    }

    public static String identity(String type) {
        return "identity:" + type;
    }

    public static String device(String field) {
        return "device:" + field;
    }

    public static String consent(String purpose) {
        return "consent:" + purpose;
    }

    private final int size;
    private final LongObjectHashMap<BitSet> bySeries = new LongObjectHashMap<>();
    private final Map<String, BitSet> byField = new HashMap<>();
    /**
     * Per series, per window length in buckets: the audiences reading the series over that
     * window. A bucket leaving one window of a series changes only the conditions over it.
     */
    private final LongObjectHashMap<LongObjectHashMap<BitSet>> bySeriesWindow = new LongObjectHashMap<>();
    /**
     * Per first-seen window ({@link Window#edges}): the audiences reading the first-seen time over
     * it. A first-seen edge of one window changes only the conditions over that window.
     */
    private final Map<Window, BitSet> byFirstSeenWindow = new HashMap<>();
    /** Per audience position: the positions of the nested audiences that refer to it. */
    private final BitSet[] dependants;
    /** The positions of the audiences that a nested audience refers to (few of them). */
    private final int[] referenced;

    public AudienceInputs(List<Audience> inEvaluationOrder) {
        size = inEvaluationOrder.size();
        dependants = new BitSet[size];
        Map<Integer, Integer> positions = new HashMap<>();
        for (int i = 0; i < size; i++) {
            positions.put(inEvaluationOrder.get(i).id(), i);
            dependants[i] = new BitSet();
        }
        for (int i = 0; i < size; i++) {
            Audience a = inEvaluationOrder.get(i);
            if (!a.enabled()) {
                // Never a member, whatever changes.
                continue;
            }
            collect(a.criteria(), i);
            for (int referenced : a.referencedAudiences()) {
                Integer at = positions.get(referenced);
                if (at != null) {
                    dependants[at].set(i);
                }
            }
        }
        referenced = IntStream.range(0, size).filter(i -> !dependants[i].isEmpty()).toArray();
    }

    public int size() {
        return size;
    }

    /** Marks the audiences that read this series. */
    public void seriesChanged(long seriesKey, BitSet affected) {
        BitSet readers = bySeries.get(seriesKey);
        if (readers != null) {
            affected.or(readers);
        }
    }

    /** Marks the audiences that read this series over a window of {@code windowBuckets} buckets. */
    public void windowChanged(long seriesKey, long windowBuckets, BitSet affected) {
        LongObjectHashMap<BitSet> byWindow = bySeriesWindow.get(seriesKey);
        BitSet readers = byWindow == null ? null : byWindow.get(windowBuckets);
        if (readers != null) {
            affected.or(readers);
        }
    }

    /** Marks the audiences that read this input (a name built by the static methods above). */
    public void fieldChanged(String field, BitSet affected) {
        BitSet readers = byField.get(field);
        if (readers != null) {
            affected.or(readers);
        }
    }

    /** Marks the audiences that read the first-seen time over the window {@code w}. */
    public void firstSeenWindowChanged(Window w, BitSet affected) {
        BitSet readers = byFirstSeenWindow.get(w.edges());
        if (readers != null) {
            affected.or(readers);
        }
    }

    /**
     * Adds the nested audiences that refer to any audience already marked. Nesting is one level
     * deep (audiences.md), so one pass over the referenced audiences finds them all.
     */
    public void addDependants(BitSet affected) {
        BitSet nested = null;
        for (int i : referenced) {
            if (affected.get(i)) {
                nested = nested == null ? new BitSet(size) : nested;
                nested.or(dependants[i]);
            }
        }
        if (nested != null) {
            affected.or(nested);
        }
    }

    private void collect(Condition c, int position) {
        if (c instanceof Conditions.All all) {
            all.parts().forEach(part -> collect(part, position));
        } else if (c instanceof Conditions.Any any) {
            any.parts().forEach(part -> collect(part, position));
        } else if (c instanceof Conditions.Not not) {
            collect(not.inner(), position);
        } else if (c instanceof Conditions.EventAggregate event) {
            readers(bySeries, event.seriesKey()).set(position);
            LongObjectHashMap<BitSet> byWindow = bySeriesWindow.get(event.seriesKey());
            if (byWindow == null) {
                byWindow = new LongObjectHashMap<>();
                bySeriesWindow.put(event.seriesKey(), byWindow);
            }
            readers(byWindow, event.window().buckets()).set(position);
        } else if (c instanceof Conditions.UserAttribute attribute) {
            mark(attribute(attribute.name()), position);
        } else if (c instanceof Conditions.Identity identity) {
            mark(DeviceIdentities.isIdentity(identity.type()) ? device(identity.type()) : identity(identity.type()), position);
        } else if (c instanceof Conditions.Device device) {
            mark(device(device.field()), position);
        } else if (c instanceof Conditions.Consent consent) {
            mark(consent(consent.purpose()), position);
        } else if (c instanceof Conditions.FirstSeen firstSeen) {
            mark(FIRST_SEEN, position);
            byFirstSeenWindow.computeIfAbsent(firstSeen.window().edges(), k -> new BitSet()).set(position);
        } else if (c instanceof Conditions.Near) {
            mark(LOCATION, position);
        } else if (!(c instanceof Conditions.InAudience)) {
            throw new IllegalArgumentException("no inputs known for condition " + c.getClass().getSimpleName());
        }
    }

    /** The set kept under {@code key}, made on first use. */
    static BitSet readers(LongObjectHashMap<BitSet> map, long key) {
        BitSet readers = map.get(key);
        if (readers == null) {
            readers = new BitSet();
            map.put(key, readers);
        }
        return readers;
    }

    private void mark(String field, int position) {
        byField.computeIfAbsent(field, k -> new BitSet()).set(position);
    }
}
