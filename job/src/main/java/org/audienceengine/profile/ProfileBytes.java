package org.audienceengine.profile;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** The byte-level writer and reader of {@link ProfileCodec}'s format: varints, text, decimals, values, series. */
final class ProfileBytes {
    private static final int STRING = 0;
    private static final int NUMBER = 1;
    private static final int BOOLEAN = 2;
    private static final int LIST = 3;
    /** Decimal forms: unscaled value in a long, or the full text. */
    private static final int COMPACT = 0;
    private static final int TEXT = 1;

    private ProfileBytes() {}

    /** A growing byte array; no locks, no streams. */
    static final class Out {
        private byte[] buf;
        private int pos;

        Out(int capacity) {
            buf = new byte[capacity];
        }

        void write(int b) {
            if (pos == buf.length) {
                buf = Arrays.copyOf(buf, buf.length * 2);
            }
            buf[pos++] = (byte) b;
        }

        void varlong(long v) {
            if (pos + 10 > buf.length) {
                buf = Arrays.copyOf(buf, buf.length * 2 + 10);
            }
            while ((v & ~0x7fL) != 0) {
                buf[pos++] = (byte) ((v & 0x7f) | 0x80);
                v >>>= 7;
            }
            buf[pos++] = (byte) v;
        }

        void zigzag(long v) {
            varlong((v << 1) ^ (v >> 63));
        }

        void fixed(long v) {
            for (int shift = 56; shift >= 0; shift -= 8) {
                write((int) (v >>> shift));
            }
        }

        /**
         * Text as its length and flag, then ASCII bytes, or else every char as a varint: lossless
         * for any Java string (a lone surrogate from a JSON escape too, which UTF-8 would lose).
         */
        void string(String s) {
            int n = s.length();
            boolean ascii = true;
            for (int i = 0; i < n && ascii; i++) {
                ascii = s.charAt(i) < 0x80;
            }
            varlong(((long) n << 1) | (ascii ? 0 : 1));
            if (ascii) {
                if (pos + n > buf.length) {
                    buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
                }
                s.getBytes(0, n, buf, pos);
                pos += n;
            } else {
                for (int i = 0; i < n; i++) {
                    varlong(s.charAt(i));
                }
            }
        }

        void strings(Map<String, String> map) {
            varlong(map.size());
            for (Map.Entry<String, String> e : map.entrySet()) {
                string(e.getKey());
                string(e.getValue());
            }
        }

        void decimal(BigDecimal d) {
            long unscaled;
            if (d.precision() <= 18) {
                // Below 10^18, so below 2^62 as the test below asks, and reached without the
                // BigInteger that unscaledValue() makes: nearly every amount.
                unscaled = d.scaleByPowerOfTen(d.scale()).longValueExact();
            } else {
                BigInteger big = d.unscaledValue();
                if (big.bitLength() >= 63) {
                    write(TEXT);
                    string(d.toString());
                    return;
                }
                unscaled = big.longValue();
            }
            write(COMPACT);
            zigzag(d.scale());
            zigzag(unscaled);
        }

        void value(Object value) {
            if (value instanceof String s) {
                write(STRING);
                string(s);
            } else if (value instanceof BigDecimal d) {
                write(NUMBER);
                decimal(d);
            } else if (value instanceof Boolean b) {
                write(BOOLEAN);
                write(b ? 1 : 0);
            } else if (value instanceof List<?> list) {
                write(LIST);
                varlong(list.size());
                for (Object element : list) {
                    string((String) element);
                }
            } else {
                throw new IllegalArgumentException("not a profile attribute value: " + value);
            }
        }

        void bucketNumbers(BucketSeries s) {
            varlong(s.size());
            long previous = 0;
            for (int i = 0; i < s.size(); i++) {
                // Bucket numbers are close together: the first, then the gaps.
                zigzag(s.bucket(i) - previous);
                previous = s.bucket(i);
            }
        }

        void payload(BucketSeries s) {
            for (int i = 0; i < s.size(); i++) {
                varlong(s.count(i));
                varlong(s.numericCount(i));
                if (s.numericCount(i) > 0) {
                    decimal(s.sum(i));
                    decimal(s.min(i));
                    decimal(s.max(i));
                }
            }
        }

        void copy(byte[] from, int at, int length) {
            if (pos + length > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + length));
            }
            System.arraycopy(from, at, buf, pos, length);
            pos += length;
        }

        /** Appends what {@code other} holds, after its length. */
        void lengthAndBytes(Out other) {
            varlong(other.pos);
            copy(other.buf, 0, other.pos);
        }

        Out reset() {
            pos = 0;
            return this;
        }

        void hashes(long[] hashes) {
            varlong(hashes.length);
            for (long h : hashes) {
                fixed(h);
            }
        }

        byte[] bytes() {
            return Arrays.copyOf(buf, pos);
        }
    }

    /** Reads what {@link Out} wrote, after the version byte. */
    static final class In {
        private final byte[] buf;
        private int pos;

        In(byte[] buf) {
            this(buf, 1);
        }

        In(byte[] buf, int pos) {
            this.buf = buf;
            this.pos = pos;
        }

        int read() {
            return buf[pos++] & 0xff;
        }

        int position() {
            return pos;
        }

        long varlong() {
            byte first = buf[pos];
            if (first >= 0) {
                pos++;
                return first;
            }
            long v = 0;
            for (int shift = 0; ; shift += 7) {
                int b = read();
                v |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return v;
                }
            }
        }

        int count() {
            return (int) varlong();
        }

        long zigzag() {
            long v = varlong();
            return (v >>> 1) ^ -(v & 1);
        }

        long fixed() {
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | read();
            }
            return v;
        }

        String string() {
            long head = varlong();
            int n = (int) (head >>> 1);
            if ((head & 1) == 0) {
                String s = new String(buf, pos, n, StandardCharsets.ISO_8859_1);
                pos += n;
                return s;
            }
            char[] chars = new char[n];
            for (int i = 0; i < n; i++) {
                chars[i] = (char) varlong();
            }
            return new String(chars);
        }

        void strings(Map<String, String> map) {
            for (int i = count(); i > 0; i--) {
                map.put(string(), string());
            }
        }

        BigDecimal decimal() {
            if (read() == COMPACT) {
                int scale = (int) zigzag();
                return BigDecimal.valueOf(zigzag(), scale);
            }
            return new BigDecimal(string());
        }

        Object value() {
            int tag = read();
            switch (tag) {
                case STRING:
                    return string();
                case NUMBER:
                    return decimal();
                case BOOLEAN:
                    return read() == 1;
                case LIST:
                    int n = count();
                    List<String> list = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        list.add(string());
                    }
                    return List.copyOf(list);
                default:
                    throw new IllegalStateException("bad attribute tag " + tag);
            }
        }

        BucketSeries packedBuckets() {
            int start = pos;
            int size = count();
            // The first bucket is read, the others passed over: a batch decodes few of them.
            long first = size == 0 ? 0 : zigzag();
            for (int left = size - 1; left > 0; pos++) {
                if (buf[pos] >= 0) {
                    left--;
                }
            }
            int length = count();
            BucketSeries s = BucketSeries.packed(size, first, buf, start, pos, length);
            pos += length;
            return s;
        }

        /** The bucket numbers of the series stored from {@code at}: their count, the first, then the gaps. */
        static long[] bucketNumbers(byte[] data, int at) {
            In in = new In(data, at);
            int size = in.count();
            long[] buckets = new long[Math.max(1, size)];
            long q = 0;
            for (int i = 0; i < size; i++) {
                q += in.zigzag();
                buckets[i] = q;
            }
            return buckets;
        }

        /** Format 4: each bucket's number, counts and aggregates together. */
        BucketSeries interleavedBuckets() {
            int size = count();
            BucketSeries s = new BucketSeries(Math.max(1, size));
            long q = 0;
            for (int i = 0; i < size; i++) {
                q += zigzag();
                long count = varlong();
                long numeric = varlong();
                if (numeric > 0) {
                    s.append(q, count, numeric, decimal(), decimal(), decimal());
                } else {
                    s.append(q, count, 0, null, null, null);
                }
            }
            return s;
        }

        long[] hashes() {
            long[] hashes = new long[count()];
            for (int i = 0; i < hashes.length; i++) {
                hashes[i] = fixed();
            }
            return hashes;
        }
    }
}
