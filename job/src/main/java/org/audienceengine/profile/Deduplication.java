package org.audienceengine.profile;

import org.audienceengine.ingest.Batch;
import org.audienceengine.ingest.Event;

import java.util.ArrayList;
import java.util.List;

/**
 * Drops redelivered input: a batch whose {@code source_request_id} the user already applied, and
 * events whose {@code source_message_id} the user already counted. The profile remembers the
 * last {@value #REQUESTS} request ids and {@value #MESSAGES} message ids as 64-bit hashes, which
 * covers producer retries and redelivery after a restart while keeping state per user small and
 * independent of how long the user has been active.
 */
public final class Deduplication {
    public static final int REQUESTS = 16;
    public static final int MESSAGES = 32;

    private Deduplication() {}

    public static boolean isDuplicate(UserProfile p, Batch batch) {
        return batch.sourceRequestId != null && contains(p.recentRequests, hash(batch.sourceRequestId));
    }

    /** Removes from the batch the events already counted. */
    public static void dropSeenEvents(UserProfile p, Batch batch) {
        if (p.recentMessages.length == 0) {
            return;
        }
        List<Event> fresh = new ArrayList<>(batch.events.size());
        for (Event e : batch.events) {
            if (e.sourceMessageId == null || !contains(p.recentMessages, hash(e.sourceMessageId))) {
                fresh.add(e);
            }
        }
        batch.events = fresh;
    }

    /** Remembers the batch's ids once it has been applied. */
    public static void remember(UserProfile p, Batch batch) {
        if (batch.sourceRequestId != null) {
            p.recentRequests = append(p.recentRequests, hash(batch.sourceRequestId), REQUESTS);
        }
        for (Event e : batch.events) {
            if (e.sourceMessageId != null) {
                p.recentMessages = append(p.recentMessages, hash(e.sourceMessageId), MESSAGES);
            }
        }
    }

    private static boolean contains(long[] hashes, long h) {
        for (long x : hashes) {
            if (x == h) {
                return true;
            }
        }
        return false;
    }

    private static long[] append(long[] hashes, long h, int max) {
        int keep = Math.min(hashes.length, max - 1);
        long[] out = new long[keep + 1];
        System.arraycopy(hashes, hashes.length - keep, out, 0, keep);
        out[keep] = h;
        return out;
    }

    /** FNV-1a, 64 bit: fast and well spread; a collision only costs a missed duplicate check. */
    static long hash(String id) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < id.length(); i++) {
            h ^= id.charAt(i);
            h *= 0x100000001b3L;
        }
        return h;
    }
}
