package org.audienceengine.profile;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads the profile formats before {@link ProfileCodec}'s (versions 1 to 3, written through
 * {@code DataOutputStream}), so that savepoints taken by earlier releases stay restorable.
 * 3: the definitions epoch; 2: bucket aggregates as decimals (1 had doubles).
 */
final class ProfileCodecV3 {
    static final int VERSION = 3;
    private static final int STRING = 0;
    private static final int NUMBER = 1;
    private static final int BOOLEAN = 2;
    private static final int LIST = 3;

    private ProfileCodecV3() {}

    static UserProfile decode(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            int version = in.readUnsignedByte();
            if (version < 1 || version > VERSION) {
                throw new IllegalStateException("unknown profile format version " + version);
            }
            UserProfile p = new UserProfile();
            p.createdAt = in.readLong();
            p.lastBatchAt = in.readLong();
            p.firstSeenAt = in.readLong();
            p.timerAt = in.readLong();
            p.environment = in.readBoolean() ? "production" : "development";
            readStrings(in, p.identities);
            readStrings(in, p.deviceInfo);
            for (int i = readVarint(in); i > 0; i--) {
                p.attributes.put(in.readUTF(), readValue(in));
            }
            for (int i = readVarint(in); i > 0; i--) {
                p.consent.put(in.readUTF(), new UserProfile.Consent(in.readBoolean(), in.readLong()));
            }
            p.hasLocation = in.readBoolean();
            if (p.hasLocation) {
                p.latitude = in.readDouble();
                p.longitude = in.readDouble();
                p.locationAt = in.readLong();
            }
            for (int i = readVarint(in); i > 0; i--) {
                p.series.put(in.readLong(), readBuckets(in, version));
            }
            for (int i = readVarint(in); i > 0; i--) {
                p.memberships.put(readVarint(in), readVarint(in), UserProfile.UNKNOWN);
            }
            p.recentRequests = readHashes(in);
            p.recentMessages = readHashes(in);
            // Older profiles were written before definition changes were counted.
            p.definitionsEpoch = version >= 3 ? readVarint(in) : 0;
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }


    private static BucketSeries readBuckets(DataInputStream in, int version) throws IOException {
        int size = readVarint(in);
        BucketSeries buckets = new BucketSeries(Math.max(1, size));
        long q = 0;
        for (int n = 0; n < size; n++) {
            q = n == 0 ? in.readLong() : q + readVarlong(in);
            long count = readVarlong(in);
            long numeric = readVarlong(in);
            if (numeric > 0) {
                buckets.append(q, count, numeric, readDecimal(in, version), readDecimal(in, version), readDecimal(in, version));
            } else {
                buckets.append(q, count, 0, null, null, null);
            }
        }
        return buckets;
    }

    private static BigDecimal readDecimal(DataInputStream in, int version) throws IOException {
        return version == 1 ? BigDecimal.valueOf(in.readDouble()) : new BigDecimal(in.readUTF());
    }


    private static long[] readHashes(DataInputStream in) throws IOException {
        long[] hashes = new long[readVarint(in)];
        for (int i = 0; i < hashes.length; i++) {
            hashes[i] = in.readLong();
        }
        return hashes;
    }


    private static void readStrings(DataInputStream in, Map<String, String> map) throws IOException {
        for (int i = readVarint(in); i > 0; i--) {
            map.put(in.readUTF(), in.readUTF());
        }
    }


    private static Object readValue(DataInputStream in) throws IOException {
        int tag = in.readUnsignedByte();
        switch (tag) {
            case STRING:
                return in.readUTF();
            case NUMBER:
                return new BigDecimal(in.readUTF());
            case BOOLEAN:
                return in.readBoolean();
            case LIST:
                int n = readVarint(in);
                List<String> list = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    list.add(in.readUTF());
                }
                return List.copyOf(list);
            default:
                throw new IllegalStateException("bad attribute tag " + tag);
        }
    }


    private static int readVarint(DataInputStream in) throws IOException {
        return (int) readVarlong(in);
    }


    private static long readVarlong(DataInputStream in) throws IOException {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            int b = in.readUnsignedByte();
            v |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
    }
}
