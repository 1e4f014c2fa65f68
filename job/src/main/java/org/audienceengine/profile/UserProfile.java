package org.audienceengine.profile;

import org.audienceengine.definitions.AudienceSet;

import java.util.Map;
import java.util.TreeMap;

/**
 * Everything the engine keeps about one user: one value per user in keyed state (see
 * {@link ProfileCodec}). Event history is kept only as per-series time buckets, so its size is
 * bounded by the longest window, not by the number of events.
 */
public final class UserProfile {
    /** Evaluation time of the first applied batch; identifies the profile in delta ids. */
    public long createdAt;
    public long lastBatchAt;
    public long firstSeenAt;
    public String environment = "production";
    public final Map<String, String> identities = new TreeMap<>();
    public final Map<String, String> deviceInfo = new TreeMap<>();
    /** String, BigDecimal, Boolean or List of String. */
    public final Map<String, Object> attributes = new TreeMap<>();
    public final Map<String, Consent> consent = new TreeMap<>();
    public boolean hasLocation;
    public double latitude;
    public double longitude;
    public long locationAt;
    /** Event series by series key (see EventSeriesSpec). */
    public final SeriesMap series = new SeriesMap();
    /**
     * Per audience: the seq of the latest delta (odd means member) and its effective time
     * ({@link #UNKNOWN} when stored by a format before 6).
     */
    public final Memberships memberships = new Memberships();
    /** A time not known. */
    public static final long UNKNOWN = Long.MIN_VALUE;
    /** Hashes of the latest applied source_request_ids and source_message_ids (Deduplication). */
    public long[] recentRequests = new long[0];
    public long[] recentMessages = new long[0];
    /** The instant of the user's registered expiry timer, or Long.MIN_VALUE for none. */
    public long timerAt = Long.MIN_VALUE;
    /**
     * {@link #timerAt} when it is the first window edge after the batch that armed it (the stored
     * profile keeps a flag; ProfileEvaluator#nextInstant sets it), else anything else: a timer set
     * any other way is not equal to it.
     */
    public long exactTimerAt = UNKNOWN;
    /**
     * The number of definition changes this profile has been evaluated under (see
     * DefinitionsInForce): one behind the operator's while a change has yet to reach the user.
     */
    public int definitionsEpoch;

    /**
     * Not stored: what the latest walk of every series found, the first window edge after
     * {@link #edgeKnownAfter} ({@link Long#MAX_VALUE}: none) for the audience set
     * {@link #edgeKnownFor}. Only a batch adds edges, so after a batch at that instant the next
     * edge is this one or one of the series the batch touched (see ProfileEvaluator#nextInstant).
     */
    private long edgeKnownAfter = UNKNOWN;
    public long knownEdge;
    private AudienceSet edgeKnownFor;

    /** Records that {@code edge} is the first window edge after {@code at} for the set {@code of}. */
    public void knowEdge(long at, long edge, AudienceSet of) {
        edgeKnownAfter = at;
        knownEdge = edge;
        edgeKnownFor = of;
    }

    /** Whether the first window edge after {@code at} for the set {@code of} is known. */
    public boolean edgeKnown(long at, AudienceSet of) {
        return edgeKnownAfter == at && edgeKnownFor == of && at != UNKNOWN;
    }

    public void forgetEdge() {
        edgeKnownAfter = UNKNOWN;
    }

    /**
     * Before a batch at {@code at}: a timer armed at the first edge after the user's last batch,
     * and not reached yet, is the first edge after {@code at} too. Taken once, so that the
     * batches after this one at the same instant go on from what it leaves. (A definitions change
     * clears the timer before any batch under the new set, so the set is the one it was armed for.)
     */
    public void takeTimerAsEdge(long at, AudienceSet of) {
        if (timerAt != UNKNOWN && timerAt > at && exactTimerAt == timerAt && lastBatchAt <= at) {
            knowEdge(at, timerAt, of);
            exactTimerAt = UNKNOWN;
        }
    }

    public boolean isMember(int audienceId) {
        return memberships.isMember(audienceId);
    }

    public long expiresAt(long lifetimeMs) {
        return lastBatchAt + lifetimeMs;
    }

    /** The latest GDPR consent for one purpose. */
    public record Consent(boolean consented, long timestamp) {}
}
