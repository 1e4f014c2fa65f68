package org.audienceengine.profile;

import java.util.Map;

/**
 * The binary form of a {@link UserProfile} in keyed state: one compact value per user, read and
 * written once per batch, so it is built for speed: varints, strings as ASCII bytes where they can be,
 * decimals as an unscaled long and a scale when they fit (as nearly all amounts do), a plain
 * array instead of streams. A series is written as its bucket numbers, then the length of its
 * counts and aggregates, then those: a decoded profile leaves them packed until they are used
 * ({@link BucketSeries}), and writes an untouched series back as the bytes it read (and so the
 * memberships a step left as they were, see {@link Memberships#writtenAsStored}). The first
 * byte is a format version; versions 1 to 6 are still read (1 to 3 by {@link ProfileCodecV3}) so
 * that savepoints of earlier releases stay restorable.
 */
public final class ProfileCodec {
    /**
     * 4: varints and compact decimals throughout; 5: series payloads behind their length; 6: with
     * each audience's seq, the time of its latest delta; 7: audience ids and those times as
     * differences from the previous entry; 8: the environment byte also says whether the timer is
     * the first window edge after the batch that armed it.
     */
    static final int VERSION = 8;
    private static final int PRODUCTION = 1;
    private static final int TIMER_IS_NEXT_EDGE = 2;
    private static final int WITH_RELATIVE_SINCE = 7;
    private static final int INTERLEAVED_SERIES = 4;
    private static final int WITHOUT_SINCE = 5;
    private static final int WITH_ABSOLUTE_SINCE = 6;

    private ProfileCodec() {}

    /**
     * Each thread's buffers for a profile and for a series' payload, kept from one encode to the
     * next: a fresh buffer per batch was allocated and cleared for bytes that are copied out anyway.
     * Each grows to the largest profile its thread has written.
     */
    private static final ThreadLocal<ProfileBytes.Out[]> BUFFERS =
            ThreadLocal.withInitial(() -> new ProfileBytes.Out[] {new ProfileBytes.Out(1024), new ProfileBytes.Out(64)});

    public static byte[] encode(UserProfile p) {
        ProfileBytes.Out[] buffers = BUFFERS.get();
        ProfileBytes.Out out = buffers[0].reset();
        out.write(VERSION);
        out.zigzag(p.createdAt);
        out.zigzag(p.lastBatchAt);
        out.zigzag(p.firstSeenAt);
        out.zigzag(p.timerAt);
        boolean exact = p.timerAt != UserProfile.UNKNOWN && p.exactTimerAt == p.timerAt;
        out.write((p.environment.equals("production") ? PRODUCTION : 0) | (exact ? TIMER_IS_NEXT_EDGE : 0));
        out.strings(p.identities);
        out.strings(p.deviceInfo);
        out.varlong(p.attributes.size());
        for (Map.Entry<String, Object> e : p.attributes.entrySet()) {
            out.string(e.getKey());
            out.value(e.getValue());
        }
        out.varlong(p.consent.size());
        for (Map.Entry<String, UserProfile.Consent> e : p.consent.entrySet()) {
            out.string(e.getKey());
            out.write(e.getValue().consented() ? 1 : 0);
            out.zigzag(e.getValue().timestamp());
        }
        out.write(p.hasLocation ? 1 : 0);
        if (p.hasLocation) {
            out.fixed(Double.doubleToRawLongBits(p.latitude));
            out.fixed(Double.doubleToRawLongBits(p.longitude));
            out.zigzag(p.locationAt);
        }
        out.varlong(p.series.size());
        for (int i = 0; i < p.series.size(); i++) {
            out.fixed(p.series.keyAt(i));
            BucketSeries series = p.series.valueAt(i);
            if (series.isPacked()) {
                // Untouched since it was read: its bytes as they were, bucket numbers included.
                int from = series.storedAt();
                out.copy(series.packedData(), from, series.packedAt() + series.packedLength() - from);
            } else {
                out.bucketNumbers(series);
                ProfileBytes.Out payload = buffers[1].reset();
                payload.payload(series);
                out.lengthAndBytes(payload);
            }
        }
        Memberships m = p.memberships;
        out.varlong(m.size());
        long previousId = 0;
        long previousSince = p.lastBatchAt;
        for (int i = 0; i < m.size(); i++) {
            if (m.writtenAsStored(i)) {
                // A run of entries the step left as they were read: their bytes as they are.
                int last = i;
                while (last + 1 < m.size() && m.writtenAsStored(last + 1)) {
                    last++;
                }
                out.copy(m.stored(), m.storedAt(i), m.storedEnd(last) - m.storedAt(i));
                previousId = m.audienceAt(last);
                // The run's entries each follow one with a time: its last has one, or the one before.
                previousSince = m.sinceAt(last) != UserProfile.UNKNOWN ? m.sinceAt(last) : m.sinceAt(last - 1);
                i = last;
                continue;
            }
            out.zigzag(m.audienceAt(i) - previousId);
            previousId = m.audienceAt(i);
            out.varlong(m.seqAt(i) & 0xffffffffL);
            // One batch or timer flips several audiences at once, so most times repeat the one
            // before: as differences (wrapping, so UNKNOWN round-trips) they take a byte.
            long since = m.sinceAt(i);
            out.zigzag(since - previousSince);
            if (since != UserProfile.UNKNOWN) {
                previousSince = since;
            }
        }
        out.hashes(p.recentRequests);
        out.hashes(p.recentMessages);
        out.varlong(p.definitionsEpoch & 0xffffffffL);
        return out.bytes();
    }

    public static UserProfile decode(byte[] data) {
        int version = data[0] & 0xff;
        if (version >= 1 && version <= ProfileCodecV3.VERSION) {
            return ProfileCodecV3.decode(data);
        }
        if (version < INTERLEAVED_SERIES || version > VERSION) {
            throw new IllegalStateException("unknown profile format version " + version);
        }
        ProfileBytes.In in = new ProfileBytes.In(data);
        UserProfile p = new UserProfile();
        p.createdAt = in.zigzag();
        p.lastBatchAt = in.zigzag();
        p.firstSeenAt = in.zigzag();
        p.timerAt = in.zigzag();
        int flags = in.read();
        p.environment = (flags & PRODUCTION) != 0 ? "production" : "development";
        if ((flags & TIMER_IS_NEXT_EDGE) != 0) {
            p.exactTimerAt = p.timerAt;
        }
        in.strings(p.identities);
        in.strings(p.deviceInfo);
        for (int i = in.count(); i > 0; i--) {
            p.attributes.put(in.string(), in.value());
        }
        for (int i = in.count(); i > 0; i--) {
            p.consent.put(in.string(), new UserProfile.Consent(in.read() == 1, in.zigzag()));
        }
        p.hasLocation = in.read() == 1;
        if (p.hasLocation) {
            p.latitude = Double.longBitsToDouble(in.fixed());
            p.longitude = Double.longBitsToDouble(in.fixed());
            p.locationAt = in.zigzag();
        }
        int series = in.count();
        // Room for a few more, as for memberships below.
        p.series.reserve(series + 4);
        for (int i = series; i > 0; i--) {
            p.series.put(in.fixed(), version == INTERLEAVED_SERIES ? in.interleavedBuckets() : in.packedBuckets());
        }
        int memberships = in.count();
        // Room for a few more: a step that adds an audience would otherwise copy them all.
        p.memberships.reserve(memberships + 8);
        if (version >= WITH_RELATIVE_SINCE) {
            long previousId = 0;
            long previousSince = p.lastBatchAt;
            p.memberships.readFrom(data);
            for (int i = memberships; i > 0; i--) {
                int start = in.position();
                int audience = (int) (previousId + in.zigzag());
                previousId = audience;
                int seq = in.count();
                long since = previousSince + in.zigzag();
                if (since != UserProfile.UNKNOWN) {
                    previousSince = since;
                }
                p.memberships.appendStored(audience, seq, since, start, in.position() - start);
            }
        } else {
            for (int i = memberships; i > 0; i--) {
                int audience = in.count();
                int seq = in.count();
                p.memberships.append(audience, seq, version == WITH_ABSOLUTE_SINCE ? in.zigzag() : UserProfile.UNKNOWN);
            }
        }
        p.recentRequests = in.hashes();
        p.recentMessages = in.hashes();
        p.definitionsEpoch = in.count();
        return p;
    }

    /** Decodes a packed series' counts and aggregates, stored from {@code at} in {@code data}. */
    static void unpack(BucketSeries s, byte[] data, int at) {
        ProfileBytes.In in = new ProfileBytes.In(data, at);
        for (int i = 0; i < s.size(); i++) {
            long count = in.varlong();
            long numeric = in.varlong();
            if (numeric > 0) {
                s.restore(i, count, numeric, in.decimal(), in.decimal(), in.decimal());
            } else {
                s.restore(i, count, 0, null, null, null);
            }
        }
    }
}
