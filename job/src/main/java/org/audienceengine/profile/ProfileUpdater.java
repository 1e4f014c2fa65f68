package org.audienceengine.profile;

import org.audienceengine.definitions.AudienceSet;
import org.audienceengine.evaluation.EventSeries;
import org.audienceengine.evaluation.Window;
import org.audienceengine.ingest.Batch;
import org.audienceengine.ingest.Event;

import java.util.Map;
import java.util.TreeMap;

/** Applies a batch to a profile: profile fields first, then its events (audiences.md). */
public final class ProfileUpdater {
    /** Live mode: an event stamped further than this into the future is taken as happening now. */
    public static final long MAX_FUTURE_MS = 5 * 60_000L;

    private ProfileUpdater() {}

    /**
     * @param clampFuture live mode: events more than 5 minutes after {@code at} count as at
     *     {@code at}. In replay no event is after its batch's time, so nothing is clamped.
     */
    public static void apply(UserProfile p, Batch batch, long at, AudienceSet set, boolean clampFuture) {
        p.lastBatchAt = Math.max(p.lastBatchAt, at);
        p.environment = batch.environment;
        upsert(p.identities, batch.userIdentities);
        upsert(p.attributes, batch.userAttributes);
        for (String name : batch.deletedUserAttributes) {
            p.attributes.remove(name);
        }
        upsert(p.deviceInfo, batch.deviceInfo);
        for (Map.Entry<String, Batch.Consent> e : batch.consent.entrySet()) {
            long ts = e.getValue().timestamp != null ? e.getValue().timestamp : at;
            UserProfile.Consent current = p.consent.get(e.getKey());
            // The latest consent wins; a record older than the one held is history, not news.
            if (current == null || ts >= current.timestamp()) {
                p.consent.put(e.getKey(), new UserProfile.Consent(e.getValue().consented, ts));
            }
        }
        if (batch.events.isEmpty()) {
            p.firstSeenAt = Math.min(p.firstSeenAt, at);
        }
        for (Event event : batch.events) {
            long t = clampFuture && event.time > at + MAX_FUTURE_MS ? at : event.time;
            p.firstSeenAt = Math.min(p.firstSeenAt, t);
            if (event.hasLocation && t >= p.locationAt) {
                p.hasLocation = true;
                p.latitude = event.latitude;
                p.longitude = event.longitude;
                p.locationAt = t;
            }
            for (EventSeries s : set.seriesFor(event)) {
                long q = Window.bucketOf(t, s.bucketMillis());
                if (q > Window.bucketOf(at, s.bucketMillis()) - s.retentionBuckets() && s.matches(event)) {
                    p.series.computeIfAbsent(s.key(), k -> new TreeMap<>())
                            .computeIfAbsent(q, k -> new Bucket())
                            .add(s.numericValue(event));
                }
            }
        }
        prune(p, at, set);
    }

    /** Drops buckets that left every window, and series no audience reads any more. */
    public static void prune(UserProfile p, long at, AudienceSet set) {
        p.series.keySet().removeIf(key -> !set.hasSeries(key));
        for (EventSeries s : set.series()) {
            TreeMap<Long, Bucket> buckets = p.series.get(s.key());
            if (buckets != null) {
                buckets.headMap(Window.bucketOf(at, s.bucketMillis()) - s.retentionBuckets(), true).clear();
                if (buckets.isEmpty()) {
                    p.series.remove(s.key());
                }
            }
        }
    }

    private static <V> void upsert(Map<String, V> target, Map<String, ? extends V> changes) {
        for (Map.Entry<String, ? extends V> e : changes.entrySet()) {
            if (e.getValue() == null) {
                target.remove(e.getKey());
            } else {
                target.put(e.getKey(), e.getValue());
            }
        }
    }
}
