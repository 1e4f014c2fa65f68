package org.audienceengine.profile;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.math.BigDecimal;

/** Profiles stored by earlier releases, in formats 1 to 7, read and written again. */
class ProfileCodecFormatsTest {

    /** A value as the releases before format 4 wrote it (DataOutputStream, decimals as text). */
    @Test
    void readsTheFormatOfEarlierReleases() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(3);
            out.writeLong(100);
            out.writeLong(200);
            out.writeLong(150);
            out.writeLong(Long.MIN_VALUE);
            out.writeBoolean(true);
            out.writeByte(1);
            out.writeUTF("email");
            out.writeUTF("ann@example.com");
            out.writeByte(0);
            out.writeByte(1);
            out.writeUTF("ltv");
            out.writeByte(1);
            out.writeUTF("12.50");
            out.writeByte(0);
            out.writeBoolean(false);
            out.writeByte(1);
            out.writeLong(42);
            out.writeByte(2);
            out.writeLong(7);
            out.writeByte(1);
            out.writeByte(0);
            out.writeByte(2);
            out.writeByte(1);
            out.writeByte(1);
            out.writeUTF("3.5");
            out.writeUTF("3.5");
            out.writeUTF("3.5");
            out.writeByte(1);
            out.writeByte(1);
            out.writeByte(1);
            out.writeByte(0);
            out.writeByte(0);
            out.writeByte(2);
        }
        UserProfile p = ProfileCodec.decode(bytes.toByteArray());
        assertThat(p.createdAt).isEqualTo(100);
        assertThat(p.identities).containsEntry("email", "ann@example.com");
        assertThat(p.attributes).containsEntry("ltv", new BigDecimal("12.50"));
        BucketSeries s = p.series.get(42L);
        assertThat(s.size()).isEqualTo(2);
        assertThat(s.bucket(0)).isEqualTo(7);
        assertThat(s.bucket(1)).isEqualTo(9);
        assertThat(s.sum(1)).isEqualTo(new BigDecimal("3.5"));
        assertThat(s.count(0)).isEqualTo(1);
        assertThat(p.memberships.seq(1)).isEqualTo(1);
        assertThat(p.definitionsEpoch).isEqualTo(2);
        // Written again, it is in the current format.
        assertThat(ProfileCodec.encode(p)[0]).isEqualTo((byte) ProfileCodec.VERSION);
        assertThat(ProfileCodec.decode(ProfileCodec.encode(p)).series.get(42L).sum(1)).isEqualTo(new BigDecimal("3.5"));
    }

    /** Format 4 (the previous release) kept each bucket's number and payload together. */
    @Test
    void readsFormatFour() {
        Bytes b = new Bytes();
        b.write(4);
        b.zigzag(100).zigzag(200).zigzag(150).zigzag(Long.MIN_VALUE);
        b.write(1);
        b.varlong(1).ascii("email").ascii("ann@example.com");
        b.varlong(0);
        b.varlong(1).ascii("ltv").write(1).write(0).zigzag(2).zigzag(1250);
        b.varlong(0);
        b.write(0);
        b.varlong(1).fixed(42).varlong(2);
        b.zigzag(7).varlong(1).varlong(0);
        b.zigzag(2).varlong(1).varlong(1).write(0).zigzag(1).zigzag(35).write(0).zigzag(1).zigzag(35)
                .write(0).zigzag(1).zigzag(35);
        b.varlong(1).varlong(1).varlong(1);
        b.varlong(0).varlong(0).varlong(2);

        UserProfile p = ProfileCodec.decode(b.bytes());

        assertThat(p.createdAt).isEqualTo(100);
        assertThat(p.timerAt).isEqualTo(Long.MIN_VALUE);
        assertThat(p.identities).containsEntry("email", "ann@example.com");
        assertThat(p.attributes).containsEntry("ltv", new BigDecimal("12.50"));
        BucketSeries s = p.series.get(42L);
        assertThat(s.bucket(1)).isEqualTo(9);
        assertThat(s.count(0)).isEqualTo(1);
        assertThat(s.sum(1)).isEqualTo(new BigDecimal("3.5"));
        assertThat(p.memberships.seq(1)).isEqualTo(1);
        assertThat(p.definitionsEpoch).isEqualTo(2);
        assertThat(ProfileCodec.decode(ProfileCodec.encode(p)).series.get(42L).max(1)).isEqualTo(new BigDecimal("3.5"));
    }

    /** Format 5 (the previous release) had no time of the latest delta beside each seq. */
    @Test
    void readsFormatFive() {
        Bytes b = new Bytes();
        b.write(5);
        b.zigzag(100).zigzag(200).zigzag(150).zigzag(Long.MIN_VALUE);
        b.write(1);
        b.varlong(1).ascii("email").ascii("ann@example.com");
        b.varlong(0);
        b.varlong(0);
        b.varlong(0);
        b.write(0);
        // One series: bucket numbers 7 and 9 (as gaps), then 13 bytes of counts and aggregates.
        b.varlong(1).fixed(42).varlong(2).zigzag(7).zigzag(2);
        b.varlong(13).varlong(1).varlong(0).varlong(1).varlong(1);
        b.write(0).zigzag(1).zigzag(35).write(0).zigzag(1).zigzag(35).write(0).zigzag(1).zigzag(35);
        b.varlong(1).varlong(1).varlong(1);
        b.varlong(0).varlong(0).varlong(2);

        // Stored again untouched, the series is copied as format 5 held it: the same series in the current format.
        BucketSeries copied = ProfileCodec.decode(ProfileCodec.encode(ProfileCodec.decode(b.bytes()))).series.get(42L);
        assertThat(copied.size()).isEqualTo(2);
        assertThat(copied.bucket(0)).isEqualTo(7);
        assertThat(copied.count(1)).isEqualTo(1);
        assertThat(copied.sum(1)).isEqualTo(new BigDecimal("3.5"));

        UserProfile p = ProfileCodec.decode(b.bytes());

        assertThat(p.series.get(42L).bucket(1)).isEqualTo(9);
        assertThat(p.series.get(42L).sum(1)).isEqualTo(new BigDecimal("3.5"));
        assertThat(p.memberships.seq(1)).isEqualTo(1);
        assertThat(p.memberships.since(1)).isEqualTo(UserProfile.UNKNOWN);
        assertThat(p.definitionsEpoch).isEqualTo(2);
        UserProfile again = ProfileCodec.decode(ProfileCodec.encode(p));
        assertThat(again.memberships).isEqualTo(p.memberships);
    }

    /** Format 6 (the previous release) stored each time in full, not as a difference. */
    @Test
    void readsFormatSix() {
        Bytes b = withoutFieldsOrSeries(6, Long.MIN_VALUE);
        b.varlong(2).varlong(3).varlong(1).zigzag(1_700_000_000_000L).varlong(40).varlong(2).zigzag(Long.MIN_VALUE);
        b.varlong(0).varlong(0).varlong(2);

        UserProfile p = ProfileCodec.decode(b.bytes());

        assertThat(p.isMember(3)).isTrue();
        assertThat(p.memberships.since(3)).isEqualTo(1_700_000_000_000L);
        assertThat(p.memberships.seq(40)).isEqualTo(2);
        assertThat(p.memberships.since(40)).isEqualTo(UserProfile.UNKNOWN);
        assertThat(p.definitionsEpoch).isEqualTo(2);
        UserProfile again = ProfileCodec.decode(ProfileCodec.encode(p));
        assertThat(again.memberships).isEqualTo(p.memberships);
    }

    /**
     * Format 7 (the previous release) had no word on the timer: read back, it is not taken as the
     * next edge, whatever it is. Format 8 keeps that, beside the environment.
     */
    @Test
    void readsFormatSevenAndKeepsWhetherTheTimerIsTheNextEdge() {
        Bytes b = withoutFieldsOrSeries(7, 5_000);
        // Audience 3 (a member since 190) and 40 (seq 2, since 190 too), as differences.
        b.varlong(2).zigzag(3).varlong(1).zigzag(-10).zigzag(37).varlong(2).zigzag(0);
        b.varlong(0).varlong(0).varlong(2);

        UserProfile p = ProfileCodec.decode(b.bytes());

        assertThat(p.environment).isEqualTo("production");
        assertThat(p.timerAt).isEqualTo(5_000);
        assertThat(p.exactTimerAt).isNotEqualTo(p.timerAt);
        assertThat(p.memberships.since(3)).isEqualTo(190);
        assertThat(p.memberships.seq(40)).isEqualTo(2);
        assertThat(ProfileCodec.decode(ProfileCodec.encode(p)).exactTimerAt).isNotEqualTo(5_000);

        p.exactTimerAt = p.timerAt;
        p.environment = "development";
        UserProfile again = ProfileCodec.decode(ProfileCodec.encode(p));
        assertThat(again.exactTimerAt).isEqualTo(5_000);
        assertThat(again.environment).isEqualTo("development");
        assertThat(again.memberships).isEqualTo(p.memberships);
        // A timer moved since it was armed at the next edge is no longer taken as one.
        again.timerAt = 6_000;
        assertThat(ProfileCodec.decode(ProfileCodec.encode(again)).exactTimerAt).isNotEqualTo(6_000);
    }

    /**
     * Memberships read from a profile of the previous release and then changed are written as a
     * profile built from nothing writes them: the entries copied as they were read (here 40 and
     * 41, after 3, which a delta changed) keep their bytes, and the first reads the new batch time.
     */
    @Test
    void membershipsReadFromFormatSevenAndChangedAreWrittenAsFromNothing() {
        Bytes b = withoutFieldsOrSeries(7, 5_000);
        // Audiences 3, 40 and 41, each since 190, as differences.
        b.varlong(3).zigzag(3).varlong(1).zigzag(-10).zigzag(37).varlong(2).zigzag(0).zigzag(1).varlong(1).zigzag(0);
        b.varlong(0).varlong(0).varlong(2);

        UserProfile read = ProfileCodec.decode(b.bytes());
        read.memberships.advance(3, false, 250);
        read.lastBatchAt = 260;
        UserProfile fresh = ProfileCodec.decode(ProfileCodec.encode(read));
        UserProfile built = new UserProfile();
        built.createdAt = fresh.createdAt;
        built.lastBatchAt = fresh.lastBatchAt;
        built.firstSeenAt = fresh.firstSeenAt;
        built.timerAt = fresh.timerAt;
        built.environment = fresh.environment;
        built.definitionsEpoch = fresh.definitionsEpoch;
        built.memberships.put(3, 2, 250);
        built.memberships.put(40, 2, 190);
        built.memberships.put(41, 1, 190);

        assertThat(ProfileCodec.encode(read)).isEqualTo(ProfileCodec.encode(built));
        assertThat(fresh.memberships).isEqualTo(built.memberships);
    }

    /**
     * A profile of format 6 or later up to its memberships: created at 100, last batch at 200,
     * first seen at 150, in production, with no identities, device info, attributes, consent,
     * location or series.
     */
    private static Bytes withoutFieldsOrSeries(int version, long timerAt) {
        Bytes b = new Bytes();
        b.write(version);
        b.zigzag(100).zigzag(200).zigzag(150).zigzag(timerAt);
        b.write(1);
        b.varlong(0).varlong(0).varlong(0).varlong(0);
        b.write(0);
        b.varlong(0);
        return b;
    }

    /** Writes format 4 by hand, as its reader expects it. */
    private static final class Bytes {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Bytes write(int b) {
            out.write(b);
            return this;
        }

        Bytes varlong(long v) {
            while ((v & ~0x7fL) != 0) {
                out.write((int) ((v & 0x7f) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
            return this;
        }

        Bytes zigzag(long v) {
            return varlong((v << 1) ^ (v >> 63));
        }

        Bytes fixed(long v) {
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) (v >>> shift));
            }
            return this;
        }

        Bytes ascii(String s) {
            varlong((long) s.length() << 1);
            out.writeBytes(s.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
