package org.audienceengine.ingest;

import java.util.Map;

/** One event of a batch, with the names and values that audience conditions match on. */
public final class Event {
    public final String type;
    /** The "event name" of events.md, or null when the event has none. */
    public final String name;
    public final String customEventType;
    public final long time;
    /** custom_attributes plus, for commerce events, $total_amount and $product_count. */
    public final Map<String, Object> attributes;
    public final boolean hasLocation;
    public final double latitude;
    public final double longitude;
    public final String sourceMessageId;

    public Event(
            String type,
            String name,
            String customEventType,
            long time,
            Map<String, Object> attributes,
            boolean hasLocation,
            double latitude,
            double longitude,
            String sourceMessageId) {
        this.type = type;
        this.name = name;
        this.customEventType = customEventType;
        this.time = time;
        this.attributes = attributes;
        this.hasLocation = hasLocation;
        this.latitude = latitude;
        this.longitude = longitude;
        this.sourceMessageId = sourceMessageId;
    }
}
