package org.audienceengine.evaluation;

import org.audienceengine.ingest.Event;

import java.io.Serializable;
import java.math.BigDecimal;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What the profile keeps for the event conditions that share one filter, aggregate attribute and
 * bucket size: per-bucket counts and aggregates, kept for the longest of their windows. Its key
 * is a hash of the canonical form of the condition, so the same condition in two audiences, or in
 * two versions of the definitions, shares one series.
 */
public final class EventSeries implements Serializable {
    private static final long serialVersionUID = 1L;

    private final long key;
    private final EventMatcher matcher;
    /** Attribute of the numeric aggregate, or null for count only. */
    private final String attribute;
    private final long bucketMillis;
    /** Window lengths in buckets of every condition that reads this series. */
    private final SortedSet<Long> windows = new TreeSet<>();
    /** The same, as an array (read on every batch). */
    private long[] windowArray = new long[0];

    public EventSeries(long key, EventMatcher matcher, String attribute, long bucketMillis) {
        this.key = key;
        this.matcher = matcher;
        this.attribute = attribute;
        this.bucketMillis = bucketMillis;
    }

    public void addWindow(Window window) {
        windows.add(window.buckets());
        windowArray = windows.stream().mapToLong(Long::longValue).toArray();
    }

    public long key() {
        return key;
    }

    public long bucketMillis() {
        return bucketMillis;
    }

    /** In ascending order; not to be changed. */
    public long[] windowBuckets() {
        return windowArray;
    }

    /** Buckets older than this many buckets before q(T) are in no window and can go. */
    public long retentionBuckets() {
        return windowArray.length == 0 ? 0 : windowArray[windowArray.length - 1];
    }

    /** The series in words: its filter, and the attribute it aggregates. */
    public String describe() {
        return matcher.describe() + (attribute == null ? "" : " " + attribute);
    }

    public EventMatcher matcher() {
        return matcher;
    }

    public boolean matches(Event event) {
        return matcher.matches(event);
    }

    /** The event's value for the aggregate, or null when missing or not numeric. */
    public BigDecimal numericValue(Event event) {
        return attribute == null ? null : Comparison.numeric(event.attributes.get(attribute));
    }
}
