package org.audienceengine.profile;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The binary form of a {@link UserProfile} in keyed state: one compact value per user, read and
 * written once per batch. The first byte is a format version; a new version must keep reading
 * the old ones so that savepoints stay restorable.
 */
public final class ProfileCodec {
    /** 3: the definitions epoch; 2: bucket aggregates as decimals (1 had doubles). */
    static final int VERSION = 3;
    private static final int STRING = 0;
    private static final int NUMBER = 1;
    private static final int BOOLEAN = 2;
    private static final int LIST = 3;

    private ProfileCodec() {}

    public static byte[] encode(UserProfile p) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeLong(p.createdAt);
            out.writeLong(p.lastBatchAt);
            out.writeLong(p.firstSeenAt);
            out.writeLong(p.timerAt);
            out.writeBoolean(p.environment.equals("production"));
            writeStrings(out, p.identities);
            writeStrings(out, p.deviceInfo);
            varint(out, p.attributes.size());
            for (Map.Entry<String, Object> e : p.attributes.entrySet()) {
                out.writeUTF(e.getKey());
                writeValue(out, e.getValue());
            }
            varint(out, p.consent.size());
            for (Map.Entry<String, UserProfile.Consent> e : p.consent.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeBoolean(e.getValue().consented());
                out.writeLong(e.getValue().timestamp());
            }
            out.writeBoolean(p.hasLocation);
            if (p.hasLocation) {
                out.writeDouble(p.latitude);
                out.writeDouble(p.longitude);
                out.writeLong(p.locationAt);
            }
            varint(out, p.series.size());
            for (Map.Entry<Long, TreeMap<Long, Bucket>> s : p.series.entrySet()) {
                out.writeLong(s.getKey());
                writeBuckets(out, s.getValue());
            }
            varint(out, p.seqs.size());
            for (Map.Entry<Integer, Integer> e : p.seqs.entrySet()) {
                varint(out, e.getKey());
                varint(out, e.getValue());
            }
            writeHashes(out, p.recentRequests);
            writeHashes(out, p.recentMessages);
            varint(out, p.definitionsEpoch);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static UserProfile decode(byte[] data) {
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
                p.seqs.put(readVarint(in), readVarint(in));
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

    private static void writeBuckets(DataOutputStream out, TreeMap<Long, Bucket> buckets) throws IOException {
        varint(out, buckets.size());
        long previous = 0;
        boolean first = true;
        for (Map.Entry<Long, Bucket> e : buckets.entrySet()) {
            // Bucket numbers are close together: store the first, then the gaps.
            if (first) {
                out.writeLong(e.getKey());
                first = false;
            } else {
                varlong(out, e.getKey() - previous);
            }
            previous = e.getKey();
            Bucket b = e.getValue();
            varlong(out, b.count);
            varlong(out, b.numericCount);
            if (b.numericCount > 0) {
                out.writeUTF(b.sum.toString());
                out.writeUTF(b.min.toString());
                out.writeUTF(b.max.toString());
            }
        }
    }

    private static TreeMap<Long, Bucket> readBuckets(DataInputStream in, int version) throws IOException {
        TreeMap<Long, Bucket> buckets = new TreeMap<>();
        long q = 0;
        for (int i = readVarint(in), n = 0; n < i; n++) {
            q = n == 0 ? in.readLong() : q + readVarlong(in);
            Bucket b = new Bucket();
            b.count = readVarlong(in);
            b.numericCount = readVarlong(in);
            if (b.numericCount > 0) {
                b.sum = readDecimal(in, version);
                b.min = readDecimal(in, version);
                b.max = readDecimal(in, version);
            }
            buckets.put(q, b);
        }
        return buckets;
    }

    private static BigDecimal readDecimal(DataInputStream in, int version) throws IOException {
        return version == 1 ? BigDecimal.valueOf(in.readDouble()) : new BigDecimal(in.readUTF());
    }

    private static void writeHashes(DataOutputStream out, long[] hashes) throws IOException {
        varint(out, hashes.length);
        for (long h : hashes) {
            out.writeLong(h);
        }
    }

    private static long[] readHashes(DataInputStream in) throws IOException {
        long[] hashes = new long[readVarint(in)];
        for (int i = 0; i < hashes.length; i++) {
            hashes[i] = in.readLong();
        }
        return hashes;
    }

    private static void writeStrings(DataOutputStream out, Map<String, String> map) throws IOException {
        varint(out, map.size());
        for (Map.Entry<String, String> e : map.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeUTF(e.getValue());
        }
    }

    private static void readStrings(DataInputStream in, Map<String, String> map) throws IOException {
        for (int i = readVarint(in); i > 0; i--) {
            map.put(in.readUTF(), in.readUTF());
        }
    }

    private static void writeValue(DataOutputStream out, Object value) throws IOException {
        if (value instanceof String s) {
            out.writeByte(STRING);
            out.writeUTF(s);
        } else if (value instanceof BigDecimal d) {
            out.writeByte(NUMBER);
            out.writeUTF(d.toString());
        } else if (value instanceof Boolean b) {
            out.writeByte(BOOLEAN);
            out.writeBoolean(b);
        } else if (value instanceof List<?> list) {
            out.writeByte(LIST);
            varint(out, list.size());
            for (Object element : list) {
                out.writeUTF((String) element);
            }
        } else {
            throw new IllegalArgumentException("not a profile attribute value: " + value);
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

    private static void varint(DataOutputStream out, int v) throws IOException {
        varlong(out, v & 0xffffffffL);
    }

    private static int readVarint(DataInputStream in) throws IOException {
        return (int) readVarlong(in);
    }

    private static void varlong(DataOutputStream out, long v) throws IOException {
        while ((v & ~0x7fL) != 0) {
            out.writeByte((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.writeByte((int) v);
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
