package org.audienceengine.profile;

import org.audienceengine.definitions.AudienceSet;
import org.audienceengine.evaluation.AudienceInputs;
import org.audienceengine.evaluation.EventSeries;
import org.audienceengine.evaluation.Window;
import org.audienceengine.ingest.Batch;
import org.audienceengine.ingest.Event;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/** Applies a batch to a profile: profile fields first, then its events (audiences.md). */
public final class ProfileUpdater {
    /** Live mode: an event stamped further than this into the future is taken as happening now. */
    public static final long MAX_FUTURE_MS = 5 * 60_000L;

    private ProfileUpdater() {}

    /** What an update changed, named as {@link org.audienceengine.evaluation.AudienceInputs} names inputs. */
    public interface Changes {
        void field(String input);

        /** @param lowered the event's value was negative: a sum over the series may have fallen */
        void series(long seriesKey, boolean lowered);
    }

    /**
     * @param clampFuture live mode: events more than 5 minutes after {@code at} count as at
     *     {@code at}. In replay no event is after its batch's time, so nothing is clamped.
     * @param changes told of every input whose value changed (a value set again unchanged is no change)
     */
    public static void apply(UserProfile p, Batch batch, long at, AudienceSet set, boolean clampFuture, Changes changes) {
        p.lastBatchAt = Math.max(p.lastBatchAt, at);
        p.environment = batch.environment;
        upsert(p.identities, batch.userIdentities, AudienceInputs::identity, changes);
        upsert(p.attributes, batch.userAttributes, AudienceInputs::attribute, changes);
        for (String name : batch.deletedUserAttributes) {
            if (p.attributes.remove(name) != null) {
                changes.field(AudienceInputs.attribute(name));
            }
        }
        upsert(p.deviceInfo, batch.deviceInfo, AudienceInputs::device, changes);
        for (Map.Entry<String, Batch.Consent> e : batch.consent.entrySet()) {
            long ts = e.getValue().timestamp != null ? e.getValue().timestamp : at;
            UserProfile.Consent current = p.consent.get(e.getKey());
            // The latest consent wins; a record older than the one held is history, not news.
            if (current == null || ts >= current.timestamp()) {
                p.consent.put(e.getKey(), new UserProfile.Consent(e.getValue().consented, ts));
                if (current == null || current.consented() != e.getValue().consented) {
                    changes.field(AudienceInputs.consent(e.getKey()));
                }
            }
        }
        long firstSeen = p.firstSeenAt;
        if (batch.events.isEmpty()) {
            p.firstSeenAt = Math.min(p.firstSeenAt, at);
        }
        boolean moved = false;
        for (Event event : batch.events) {
            long t = clampFuture && event.time > at + MAX_FUTURE_MS ? at : event.time;
            p.firstSeenAt = Math.min(p.firstSeenAt, t);
            if (event.hasLocation && t >= p.locationAt) {
                moved |= !p.hasLocation || p.latitude != event.latitude || p.longitude != event.longitude;
                p.hasLocation = true;
                p.latitude = event.latitude;
                p.longitude = event.longitude;
                p.locationAt = t;
            }
            for (EventSeries s : set.seriesFor(event)) {
                long q = Window.bucketOf(t, s.bucketMillis());
                if (q > Window.bucketOf(at, s.bucketMillis()) - s.retentionBuckets() && s.matches(event)) {
                    BigDecimal value = s.numericValue(event);
                    p.series.getOrCreate(s.key()).add(q, value);
                    changes.series(s.key(), value != null && value.signum() < 0);
                }
            }
        }
        if (moved) {
            changes.field(AudienceInputs.LOCATION);
        }
        if (p.firstSeenAt != firstSeen) {
            changes.field(AudienceInputs.FIRST_SEEN);
        }
        prune(p, at, set);
    }

    /** Drops buckets that left every window, and series no audience reads any more. */
    public static void prune(UserProfile p, long at, AudienceSet set) {
        p.series.retain((key, buckets) -> {
            EventSeries s = set.series(key);
            if (s != null) {
                buckets.dropThrough(Window.bucketOf(at, s.bucketMillis()) - s.retentionBuckets());
            }
            return s != null && !buckets.isEmpty();
        });
    }

    private static <V> void upsert(Map<String, V> target, Map<String, ? extends V> changes,
            UnaryOperator<String> input, Changes changed) {
        for (Map.Entry<String, ? extends V> e : changes.entrySet()) {
            V before = e.getValue() == null ? target.remove(e.getKey()) : target.put(e.getKey(), e.getValue());
            if (!Objects.equals(before, e.getValue())) {
                changed.field(input.apply(e.getKey()));
            }
        }
    }
}
