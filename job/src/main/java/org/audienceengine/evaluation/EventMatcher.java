package org.audienceengine.evaluation;

import org.audienceengine.ingest.Event;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;

/** The filter part of an event condition: type, name, custom event type and {@code where}. */
public final class EventMatcher implements Serializable {
    private static final long serialVersionUID = 1L;

    /** One {@code where} filter on an event attribute. */
    public record Filter(String attribute, Comparison comparison) implements Serializable {}

    private final String type;
    private final String name;
    private final String customEventType;
    private final List<Filter> where;

    public EventMatcher(String type, String name, String customEventType, List<Filter> where) {
        this.type = type;
        this.name = name;
        this.customEventType = customEventType;
        this.where = List.copyOf(where);
    }

    /** The event type this matcher requires, or null for any. */
    public String type() {
        return type;
    }

    /** The event name this matcher requires (compared case-insensitively), or null for any. */
    public String name() {
        return name;
    }

    public boolean matches(Event event) {
        if (type != null && !type.equals(event.type)) {
            return false;
        }
        if (name != null && (event.name == null || !name.equalsIgnoreCase(event.name))) {
            return false;
        }
        if (customEventType != null && !customEventType.equals(event.customEventType)) {
            return false;
        }
        for (Filter filter : where) {
            if (!filter.comparison().test(event.attributes.get(filter.attribute()))) {
                return false;
            }
        }
        return true;
    }

    /** The filter in words: {@code purchase}, {@code screen_view where screen = "cart"}. */
    public String describe() {
        StringBuilder out = new StringBuilder(name != null ? name : type != null ? type : "any event");
        if (customEventType != null) {
            out.append(" (").append(customEventType).append(')');
        }
        for (int i = 0; i < where.size(); i++) {
            out.append(i == 0 ? " where " : " and ").append(where.get(i).attribute()).append(' ')
                    .append(where.get(i).comparison().describe());
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return "type=" + type + " name=" + (name == null ? null : name.toLowerCase(Locale.ROOT))
                + " custom_event_type=" + customEventType + " where=" + where.size();
    }
}
