package org.audienceengine.evaluation;

import org.audienceengine.ingest.Event;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Finds the event series an event may count in by its type and name, so that an event is only
 * matched against the conditions that name it (or name nothing), not against every condition of
 * every audience.
 */
public final class SeriesIndex implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Map<String, List<EventSeries>> byTypeAndName = new HashMap<>();
    private final Map<String, List<EventSeries>> byType = new HashMap<>();
    private final Map<String, List<EventSeries>> byName = new HashMap<>();
    private final List<EventSeries> any = new ArrayList<>();
    /**
     * Each (type, name as sent)'s candidates, found once: most batches repeat a few event names.
     * Names are the senders' free text, so the cache stops growing at {@link #CACHED} entries.
     * Copied on write, so that a set read by several threads needs no lock to look up.
     */
    private transient volatile Map<String, Map<String, List<EventSeries>>> cache;
    private transient int cached;
    static final int CACHED = 4096;

    public SeriesIndex(Collection<EventSeries> series) {
        for (EventSeries s : series) {
            String type = s.matcher().type();
            String name = s.matcher().name() == null ? null : s.matcher().name().toLowerCase(Locale.ROOT);
            if (type != null && name != null) {
                byTypeAndName.computeIfAbsent(type + '\u0000' + name, k -> new ArrayList<>()).add(s);
            } else if (type != null) {
                byType.computeIfAbsent(type, k -> new ArrayList<>()).add(s);
            } else if (name != null) {
                byName.computeIfAbsent(name, k -> new ArrayList<>()).add(s);
            } else {
                any.add(s);
            }
        }
    }

    /** The series whose type and name fit the event (unmodifiable); their other filters are still to check. */
    public List<EventSeries> candidates(Event event) {
        Map<String, Map<String, List<EventSeries>>> known = cache;
        Map<String, List<EventSeries>> names = known == null ? null : known.get(event.type);
        // A null name is a key of its own (HashMap allows it).
        List<EventSeries> found = names == null ? null : names.get(event.name);
        if (found == null) {
            found = List.copyOf(find(event));
            remember(event, found);
        }
        return found;
    }

    private synchronized void remember(Event event, List<EventSeries> found) {
        if (cached >= CACHED) {
            return;
        }
        Map<String, Map<String, List<EventSeries>>> next = cache == null ? new HashMap<>() : new HashMap<>(cache);
        Map<String, List<EventSeries>> names = new HashMap<>(next.getOrDefault(event.type, Map.of()));
        names.put(event.name, found);
        next.put(event.type, names);
        cache = next;
        cached++;
    }

    private List<EventSeries> find(Event event) {
        List<EventSeries> out = new ArrayList<>(any);
        out.addAll(byType.getOrDefault(event.type, List.of()));
        if (event.name != null) {
            String name = event.name.toLowerCase(Locale.ROOT);
            out.addAll(byTypeAndName.getOrDefault(event.type + '\u0000' + name, List.of()));
            out.addAll(byName.getOrDefault(name, List.of()));
        }
        return out;
    }
}
