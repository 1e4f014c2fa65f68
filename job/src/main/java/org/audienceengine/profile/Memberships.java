package org.audienceengine.profile;

import java.util.Arrays;

/**
 * Per audience, the seq of the user's latest delta (odd means member: deltas alternate, add
 * first) and that delta's effective time. Sorted parallel arrays rather than boxed maps: every
 * evaluation asks each affected audience whether the user is a member, and every load and store
 * of the profile copies all of them, which with hundreds of audiences made the maps a large part
 * of both.
 */
public final class Memberships {
    private static final int[] NO_IDS = new int[0];
    private static final long[] NO_TIMES = new long[0];

    private int[] ids = NO_IDS;
    private int[] seqs = NO_IDS;
    private long[] since = NO_TIMES;
    private int size;
    /**
     * Where each entry's bytes lie in the stored profile it was decoded from ({@link #stored}),
     * -1 for an entry added or changed since: an entry unchanged after an unchanged one is written
     * back as those bytes (see {@link ProfileCodec}). Null when nothing was decoded.
     */
    private int[] storedAt;
    private int[] storedLength;
    private byte[] stored;

    public int size() {
        return size;
    }

    /** Whether any delta was ever emitted for the audience. */
    public boolean has(int audience) {
        return indexOf(audience) >= 0;
    }

    /** The seq of the latest delta, 0 when there was none. */
    public int seq(int audience) {
        int i = indexOf(audience);
        return i >= 0 ? seqs[i] : 0;
    }

    public boolean isMember(int audience) {
        int i = indexOf(audience);
        return i >= 0 && isMemberAt(i);
    }

    /** The effective time of the latest delta, {@link UserProfile#UNKNOWN} when none or not stored. */
    public long since(int audience) {
        int i = indexOf(audience);
        return i >= 0 ? since[i] : UserProfile.UNKNOWN;
    }

    public void put(int audience, int seq, long at) {
        store(indexOf(audience), audience, seq, at);
    }

    /**
     * Records the audience's next delta, an add or a remove at {@code at}, and returns its seq:
     * one search where {@link #seq} and {@link #put} took two, once per delta.
     *
     * @throws IllegalStateException when the delta would not alternate with the one before
     */
    public int advance(int audience, boolean add, long at) {
        int i = indexOf(audience);
        int seq = (i >= 0 ? seqs[i] : 0) + 1;
        if (((seq & 1) == 1) != add) {
            throw new IllegalStateException("deltas of audience " + audience + " must alternate add/remove");
        }
        store(i, audience, seq, at);
        return seq;
    }

    private void store(int i, int audience, int seq, long at) {
        if (i < 0) {
            i = -i - 1;
            if (size == ids.length) {
                reserve(Math.max(4, size * 2));
            }
            System.arraycopy(ids, i, ids, i + 1, size - i);
            System.arraycopy(seqs, i, seqs, i + 1, size - i);
            System.arraycopy(since, i, since, i + 1, size - i);
            if (storedAt != null) {
                System.arraycopy(storedAt, i, storedAt, i + 1, size - i);
                System.arraycopy(storedLength, i, storedLength, i + 1, size - i);
            }
            ids[i] = audience;
            size++;
        }
        seqs[i] = seq;
        since[i] = at;
        if (storedAt != null) {
            storedAt[i] = -1;
        }
    }

    /** The i-th audience in ascending order of id. */
    public int audienceAt(int i) {
        return ids[i];
    }

    public int seqAt(int i) {
        return seqs[i];
    }

    /** Whether the user is a member of the i-th audience (its latest delta was an add). */
    public boolean isMemberAt(int i) {
        return (seqs[i] & 1) == 1;
    }

    public long sinceAt(int i) {
        return since[i];
    }

    /** Appends an audience above every one held (decoding, which reads them in order). */
    void append(int audience, int seq, long at) {
        if (size > 0 && audience <= ids[size - 1]) {
            put(audience, seq, at);
            return;
        }
        if (size == ids.length) {
            reserve(Math.max(4, size * 2));
        }
        ids[size] = audience;
        seqs[size] = seq;
        since[size] = at;
        size++;
    }

    /** Before entries are decoded from {@code data}, the stored profile (see {@link #appendStored}). */
    void readFrom(byte[] data) {
        stored = data;
        storedAt = new int[ids.length];
        storedLength = new int[ids.length];
    }

    /** Appends, as {@link #append}, an entry decoded from {@code length} bytes at {@code at} of the stored profile. */
    void appendStored(int audience, int seq, long time, int at, int length) {
        boolean inOrder = size == 0 || audience > ids[size - 1];
        append(audience, seq, time);
        if (inOrder) {
            storedAt[size - 1] = at;
            storedLength[size - 1] = length;
        }
    }

    /**
     * Whether the i-th entry would be written as the bytes it was read from: it and the one before
     * it are unchanged and were stored next to each other (so the difference of their ids is as
     * stored; nothing removes an entry today, but one that did would break that), and the one
     * before has a time (so the difference of their times is as stored).
     */
    boolean writtenAsStored(int i) {
        return storedAt != null && i > 0 && storedAt[i] >= 0 && storedAt[i - 1] >= 0
                && storedAt[i - 1] + storedLength[i - 1] == storedAt[i] && since[i - 1] != UserProfile.UNKNOWN;
    }

    byte[] stored() {
        return stored;
    }

    int storedAt(int i) {
        return storedAt[i];
    }

    int storedEnd(int i) {
        return storedAt[i] + storedLength[i];
    }

    /** Room for {@code n} audiences before any growth (decoding knows the count). */
    void reserve(int n) {
        if (n > ids.length) {
            ids = Arrays.copyOf(ids, n);
            seqs = Arrays.copyOf(seqs, n);
            since = Arrays.copyOf(since, n);
            if (storedAt != null) {
                storedAt = Arrays.copyOf(storedAt, n);
                storedLength = Arrays.copyOf(storedLength, n);
            }
        }
    }

    private int indexOf(int audience) {
        return Arrays.binarySearch(ids, 0, size, audience);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Memberships m) || m.size != size) {
            return false;
        }
        return Arrays.equals(ids, 0, size, m.ids, 0, size)
                && Arrays.equals(seqs, 0, size, m.seqs, 0, size)
                && Arrays.equals(since, 0, size, m.since, 0, size);
    }

    @Override
    public int hashCode() {
        int h = size;
        for (int i = 0; i < size; i++) {
            h = 31 * h + ids[i];
            h = 31 * h + seqs[i];
            h = 31 * h + Long.hashCode(since[i]);
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("{");
        for (int i = 0; i < size; i++) {
            s.append(i == 0 ? "" : ", ").append(ids[i]).append('=').append(seqs[i]);
            if (since[i] != UserProfile.UNKNOWN) {
                s.append('@').append(since[i]);
            }
        }
        return s.append('}').toString();
    }
}
