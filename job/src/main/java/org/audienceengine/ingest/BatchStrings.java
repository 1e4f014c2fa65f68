package org.audienceengine.ingest;

import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The strings of {@link IngestedBatchSerializer}. Nearly every string of a batch is ASCII (event
 * names, attribute keys, ids), and those go as a zero byte, their length and their bytes: a copy
 * each way, where Flink's {@link StringValue} encodes and decodes every char on its own. Any other
 * string goes as StringValue writes it, which never starts with a zero byte for a string that is
 * there, so the reader tells the two apart and reads the batches written before this form too
 * (kept by the event-time buffer in savepoints), with no change to the serializer's snapshot.
 */
final class BatchStrings {
    private static final int HIGH_BIT = 0x80;

    private BatchStrings() {}

    static void write(String s, DataOutputView out) throws IOException {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            if (s.charAt(i) >= HIGH_BIT) {
                StringValue.writeString(s, out);
                return;
            }
        }
        out.writeByte(0);
        varint(n, out);
        out.write(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    static String read(DataInputView in) throws IOException {
        int first = in.readUnsignedByte();
        if (first == 0) {
            byte[] bytes = new byte[varint(in)];
            in.readFully(bytes);
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
        // StringValue's form, its first byte read: the length plus one, then each char, both in 7-bit groups.
        int length = continued(first, in) - 1;
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = (char) continued(in.readUnsignedByte(), in);
        }
        return new String(chars);
    }

    private static void varint(int v, DataOutputView out) throws IOException {
        while ((v & ~0x7f) != 0) {
            out.writeByte((v & 0x7f) | HIGH_BIT);
            v >>>= 7;
        }
        out.writeByte(v);
    }

    private static int varint(DataInputView in) throws IOException {
        return continued(in.readUnsignedByte(), in);
    }

    /** A number in 7-bit groups, low group first, whose first byte is {@code first}. */
    private static int continued(int first, DataInputView in) throws IOException {
        if (first < HIGH_BIT) {
            return first;
        }
        int v = first & 0x7f;
        int shift = 7;
        int b;
        while ((b = in.readUnsignedByte()) >= HIGH_BIT) {
            v |= (b & 0x7f) << shift;
            shift += 7;
        }
        return v | (b << shift);
    }
}
