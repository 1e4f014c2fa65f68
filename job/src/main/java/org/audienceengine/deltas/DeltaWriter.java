package org.audienceengine.deltas;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes deltas as {@link DeltaJson#toBytes} does, byte for byte, for one thread. The deltas of one
 * batch or timer carry the same identities, attributes and environment, the larger part of each
 * delta's JSON: those fields are written once and their bytes reused while they stay equal.
 */
public final class DeltaWriter {
    private byte[] buffer = new byte[512];
    private int length;
    private Tail tail;
    private byte[] tailBytes;
    private final byte[] digits = new byte[19];
    /**
     * Strings found plain, by identity: the audience names, actions and reasons are the same few
     * String objects delta after delta, and checking them again was most of writing them.
     */
    private final String[] plainSeen = new String[256];

    /** The fields from {@code identities} on, in the wire order of {@link MembershipDelta}. */
    private record Tail(Map<String, String> identities, Map<String, String> deviceIdentities,
            Map<String, Object> userAttributes, String environment) {}

    /**
     * The fields before the tail are numbers and short strings: they are written here, not by a
     * generator (whose set-up per delta cost as much as the writing). A string with a character
     * the mapper would escape, or outside ASCII, is written by the mapper.
     */
    public byte[] toBytes(MembershipDelta d) {
        Tail wanted = new Tail(d.identities, d.deviceIdentities, d.userAttributes, d.environment);
        if (tail == null || !sameTail(tail, wanted)) {
            tail = wanted;
            tailBytes = tailBytes(wanted);
        }
        length = 0;
        char separator = '{';
        if (d.deltaId != null) {
            string(separator, "\"delta_id\":", d.deltaId, d.deltaIdIsPlain || plain(d.deltaId));
            separator = ',';
        }
        number(separator, "\"audience_id\":", d.audienceId);
        string(',', "\"audience_name\":", d.audienceName);
        string(',', "\"external_name\":", d.externalName);
        number(',', "\"mpid\":", d.mpid);
        string(',', "\"action\":", d.action);
        string(',', "\"reason\":", d.reason);
        number(',', "\"effective_at\":", d.effectiveAt);
        number(',', "\"seq\":", d.seq);
        number(',', "\"profile_created_at\":", d.profileCreatedAt);
        append(tailBytes);
        return Arrays.copyOf(buffer, length);
    }

    private void string(char separator, String name, String value) {
        if (value != null) {
            string(separator, name, value, seenPlain(value));
        }
    }

    private void string(char separator, String name, String value, boolean plain) {
        field(separator, name);
        quoted(value, plain);
    }

    private void quoted(String value, boolean plain) {
        if (!plain) {
            append(DeltaJson.write(value));
            return;
        }
        int n = value.length();
        reserve(n + 2);
        buffer[length++] = '"';
        copyAscii(value, n);
        buffer[length++] = '"';
    }

    private void number(char separator, String name, long value) {
        field(separator, name);
        reserve(20);
        if (value == Long.MIN_VALUE) {
            ascii(Long.toString(value));
            return;
        }
        if (value < 0) {
            buffer[length++] = '-';
            value = -value;
        }
        // Backwards into scratch space, then one copy: one division per digit, not two.
        int i = digits.length;
        do {
            digits[--i] = (byte) ('0' + value % 10);
            value /= 10;
        } while (value > 0);
        System.arraycopy(digits, i, buffer, length, digits.length - i);
        length += digits.length - i;
    }

    private void field(char separator, String name) {
        reserve(name.length() + 1);
        buffer[length++] = (byte) separator;
        ascii(name);
    }

    private boolean seenPlain(String value) {
        int slot = System.identityHashCode(value) & (plainSeen.length - 1);
        if (plainSeen[slot] == value) {
            return true;
        }
        if (!plain(value)) {
            return false;
        }
        plainSeen[slot] = value;
        return true;
    }

    /** Printable ASCII without a quote or backslash: what the mapper writes as it is. */
    private static boolean plain(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    private void ascii(String text) {
        int n = text.length();
        reserve(n);
        copyAscii(text, n);
    }

    /** ASCII text's bytes in one copy (the String keeps them as bytes already). */
    @SuppressWarnings("deprecation")
    private void copyAscii(String text, int n) {
        text.getBytes(0, n, buffer, length);
        length += n;
    }

    private void append(byte[] bytes) {
        reserve(bytes.length);
        System.arraycopy(bytes, 0, buffer, length, bytes.length);
        length += bytes.length;
    }

    private void reserve(int n) {
        if (length + n > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + n));
        }
    }

    /**
     * {@code ,"identities":…,"environment":…}} as the mapper writes them, or {@code }} when all
     * are absent. Written here: a new user's deltas have a new tail, and the mapper's set-up per
     * tail cost more than the writing.
     */
    private byte[] tailBytes(Tail t) {
        length = 0;
        if (t.identities() != null) {
            field(',', "\"identities\":");
            map(t.identities());
        }
        if (t.deviceIdentities() != null) {
            field(',', "\"device_identities\":");
            map(t.deviceIdentities());
        }
        if (t.userAttributes() != null) {
            field(',', "\"user_attributes\":");
            map(t.userAttributes());
        }
        if (t.environment() != null) {
            string(',', "\"environment\":", t.environment(), plain(t.environment()));
        }
        reserve(1);
        buffer[length++] = '}';
        return Arrays.copyOf(buffer, length);
    }

    /** In the map's own order, as the mapper writes it (the engine's maps are sorted). */
    private void map(Map<String, ?> map) {
        char separator = '{';
        for (Map.Entry<String, ?> e : map.entrySet()) {
            reserve(1);
            buffer[length++] = (byte) separator;
            separator = ',';
            quoted(e.getKey(), plain(e.getKey()));
            reserve(1);
            buffer[length++] = ':';
            value(e.getValue());
        }
        if (separator == '{') {
            reserve(1);
            buffer[length++] = '{';
        }
        reserve(1);
        buffer[length++] = '}';
    }

    /** A profile's values are strings, decimals, booleans and lists of strings; others go to the mapper. */
    private void value(Object value) {
        if (value == null) {
            ascii("null");
        } else if (value instanceof String s) {
            quoted(s, plain(s));
        } else if (value instanceof BigDecimal d) {
            // The mapper writes a decimal as toString() does (1.5E+3 stays 1.5E+3).
            ascii(d.toString());
        } else if (value instanceof Boolean b) {
            ascii(b ? "true" : "false");
        } else if (value instanceof List<?> list) {
            char separator = '[';
            for (Object element : list) {
                reserve(1);
                buffer[length++] = (byte) separator;
                separator = ',';
                value(element);
            }
            if (separator == '[') {
                reserve(1);
                buffer[length++] = '[';
            }
            reserve(1);
            buffer[length++] = ']';
        } else {
            append(DeltaJson.write(value));
        }
    }

    private static boolean sameTail(Tail a, Tail b) {
        return same(a.identities, b.identities) && same(a.deviceIdentities, b.deviceIdentities)
                && same(a.userAttributes, b.userAttributes) && Objects.equals(a.environment, b.environment);
    }

    /** Equal maps write equal JSON only in the same order; the engine's maps are sorted. */
    private static boolean same(Map<String, ?> a, Map<String, ?> b) {
        if (a == b) {
            return true;
        }
        if (a == null || b == null || a.size() != b.size()) {
            return false;
        }
        var i = a.entrySet().iterator();
        var j = b.entrySet().iterator();
        while (i.hasNext()) {
            var x = i.next();
            var y = j.next();
            // BigDecimal's equals tells 1.5E+3 from 1500, as their JSON does.
            if (!x.getKey().equals(y.getKey()) || !Objects.equals(x.getValue(), y.getValue())) {
                return false;
            }
        }
        return true;
    }
}
