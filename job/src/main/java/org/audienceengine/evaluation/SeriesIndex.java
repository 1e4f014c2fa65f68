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

    /** The series whose type and name fit the event; their other filters are still to check. */
    public List<EventSeries> candidates(Event event) {
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
