package org.audienceengine.definitions;

import com.carrotsearch.hppc.IntIntHashMap;
import com.carrotsearch.hppc.LongObjectHashMap;

import org.audienceengine.evaluation.AudienceInputs;
import org.audienceengine.evaluation.EventSeries;
import org.audienceengine.evaluation.Window;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A validated, compiled definitions document: the audiences in evaluation order (those without
 * audience conditions first, each group by id) and the event series and first-seen windows the
 * profiles need to keep for them.
 */
public final class AudienceSet implements Serializable {
    private static final long serialVersionUID = 1L;

    private final List<Audience> inEvaluationOrder;
    private final Map<Integer, Audience> byId = new LinkedHashMap<>();
    private final Map<Long, EventSeries> series;
    /** Lookups made per batch, by primitive keys (rebuilt after deserialization). */
    private transient LongObjectHashMap<EventSeries> seriesByKey;
    /** Positions by id: an array indexed by id where ids are small enough, else a hash map (the other null). */
    private transient int[] densePositions;
    private transient IntIntHashMap positions;
    private final List<Window> firstSeenWindows;
    private final int aggregateSlots;
    private final String source;
    private final Map<Integer, String> fingerprints;
    private final org.audienceengine.evaluation.SeriesIndex seriesIndex;
    /** Derived from the audiences (rebuilt after deserialization). */
    private transient AudienceInputs inputs;

    AudienceSet(List<Audience> audiences, Map<Long, EventSeries> series, List<Window> firstSeenWindows,
            int aggregateSlots, String source, Map<Integer, String> fingerprints) {
        List<Audience> ordered = new ArrayList<>(audiences);
        ordered.sort(Comparator.comparing(Audience::nested).thenComparingInt(Audience::id));
        this.inEvaluationOrder = List.copyOf(ordered);
        for (Audience a : ordered) {
            byId.put(a.id(), a);
        }
        this.series = series;
        this.seriesByKey = byKey(series);
        this.densePositions = densePositions(inEvaluationOrder);
        this.positions = densePositions == null ? positions(inEvaluationOrder) : null;
        this.firstSeenWindows = List.copyOf(firstSeenWindows);
        this.aggregateSlots = aggregateSlots;
        this.source = source;
        this.fingerprints = Map.copyOf(fingerprints);
        this.seriesIndex = new org.audienceengine.evaluation.SeriesIndex(series.values());
        this.inputs = new AudienceInputs(inEvaluationOrder);
    }

    /** How many distinct series, window and aggregate the event conditions have (Conditions.EventAggregate#slot). */
    public int aggregateSlots() {
        return aggregateSlots;
    }

    public List<Audience> inEvaluationOrder() {
        return inEvaluationOrder;
    }

    public Audience audience(int id) {
        return byId.get(id);
    }

    /** The audience's position in evaluation order, or -1 when the set has no such audience. */
    public int position(int id) {
        int[] dense = densePositions;
        if (dense != null) {
            return id >= 0 && id < dense.length ? dense[id] : -1;
        }
        return positions.getOrDefault(id, -1);
    }

    public Collection<EventSeries> series() {
        return series.values();
    }

    /** The series an event may count in (by type and name; other filters still apply). */
    public List<EventSeries> seriesFor(org.audienceengine.ingest.Event event) {
        return seriesIndex.candidates(event);
    }

    public boolean hasSeries(long key) {
        return series(key) != null;
    }

    /** The series with this key, or null when no audience of the set reads it. */
    public EventSeries series(long key) {
        return seriesByKey.get(key);
    }

    private static LongObjectHashMap<EventSeries> byKey(Map<Long, EventSeries> series) {
        LongObjectHashMap<EventSeries> byKey = new LongObjectHashMap<>(series.size());
        for (Map.Entry<Long, EventSeries> e : series.entrySet()) {
            byKey.put(e.getKey(), e.getValue());
        }
        return byKey;
    }

    private static IntIntHashMap positions(List<Audience> inEvaluationOrder) {
        IntIntHashMap positions = new IntIntHashMap(inEvaluationOrder.size());
        for (int i = 0; i < inEvaluationOrder.size(); i++) {
            positions.put(inEvaluationOrder.get(i).id(), i);
        }
        return positions;
    }

    private static int[] densePositions(List<Audience> inEvaluationOrder) {
        int max = -1;
        for (Audience a : inEvaluationOrder) {
            if (a.id() < 0) {
                return null;
            }
            max = Math.max(max, a.id());
        }
        if (max >= 8 * inEvaluationOrder.size() + 4096) {
            return null;
        }
        int[] dense = new int[max + 1];
        Arrays.fill(dense, -1);
        for (int i = 0; i < inEvaluationOrder.size(); i++) {
            dense[inEvaluationOrder.get(i).id()] = i;
        }
        return dense;
    }

    private void readObject(java.io.ObjectInputStream in) throws java.io.IOException, ClassNotFoundException {
        in.defaultReadObject();
        seriesByKey = byKey(series);
        densePositions = densePositions(inEvaluationOrder);
        positions = densePositions == null ? positions(inEvaluationOrder) : null;
        inputs = new AudienceInputs(inEvaluationOrder);
    }

    /** What each audience reads (positions in evaluation order). */
    public AudienceInputs inputs() {
        return inputs;
    }

    public List<Window> firstSeenWindows() {
        return firstSeenWindows;
    }

    /**
     * The ids of audiences whose membership may differ between {@code previous} and this set:
     * created, removed, changed (criteria, enabled) — and nested audiences referring to any of
     * those. Renames alone change no membership and are not included.
     */
    public java.util.Set<Integer> changedSince(AudienceSet previous) {
        java.util.Set<Integer> changed = new java.util.TreeSet<>();
        for (Integer id : fingerprints.keySet()) {
            if (!fingerprints.get(id).equals(previous.fingerprints.get(id))) {
                changed.add(id);
            }
        }
        for (Integer id : previous.fingerprints.keySet()) {
            if (!fingerprints.containsKey(id)) {
                changed.add(id);
            }
        }
        for (Audience a : inEvaluationOrder) {
            if (a.nested() && !changed.contains(a.id())) {
                for (int referenced : a.referencedAudiences()) {
                    if (changed.contains(referenced)) {
                        changed.add(a.id());
                    }
                }
            }
        }
        return changed;
    }

    /** The JSON text this set was compiled from (so it can be shipped to operators as text). */
    public String sourceJson() {
        return source;
    }
}
