package org.audienceengine.profile;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.math.BigDecimal;
import java.util.List;

class ProfileCodecTest {

    @Test
    void everyFieldSurvivesTheRoundTrip() {
        UserProfile p = profile();
        p.attributes.put("odd", "lone \ud800 surrogate and ünïcode");
        p.attributes.put("huge", new BigDecimal("1e400"));
        p.attributes.put("wide", new BigDecimal("123456789012345678901234567890.5"));
        p.attributes.put("negative_scale", new BigDecimal("12E+5"));
        p.attributes.put("tags", List.of("a", "b"));
        p.attributes.put("flag", Boolean.TRUE);
        BucketSeries s = new BucketSeries();
        s.add(-5, null);
        s.add(1_000_000, new BigDecimal("-0.30"));
        s.add(1_000_000, new BigDecimal("99999999999999999999.99"));
        s.add(999_999, new BigDecimal("7"));
        p.series.put(Long.MIN_VALUE, s);

        UserProfile back = ProfileCodec.decode(ProfileCodec.encode(p));

        assertThat(back.attributes).isEqualTo(p.attributes);
        assertThat(ProfileCodec.encode(back)).isEqualTo(ProfileCodec.encode(p));
        BucketSeries read = back.series.get(Long.MIN_VALUE);
        assertThat(read.size()).isEqualTo(3);
        assertThat(read.bucket(0)).isEqualTo(-5);
        assertThat(read.sum(0)).isEqualTo(BigDecimal.ZERO);
        assertThat(read.min(0)).isNull();
        assertThat(read.bucket(2)).isEqualTo(1_000_000);
        assertThat(read.count(2)).isEqualTo(2);
        assertThat(read.sum(2)).isEqualTo(new BigDecimal("99999999999999999999.69"));
        assertThat(read.min(2)).isEqualTo(new BigDecimal("-0.30"));
        assertThat(read.max(2)).isEqualTo(new BigDecimal("99999999999999999999.99"));
        assertThat(back.timerAt).isEqualTo(Long.MIN_VALUE);
        assertThat(back.firstSeenAt).isEqualTo(Long.MAX_VALUE);
        assertThat(back.seqs).isEqualTo(p.seqs);
        assertThat(back.recentRequests).isEqualTo(p.recentRequests);
        assertThat(back.consent).isEqualTo(p.consent);
        assertThat(back.latitude).isEqualTo(p.latitude);
    }

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
        assertThat(p.seqs).containsEntry(1, 1);
        assertThat(p.definitionsEpoch).isEqualTo(2);
        // Written again, it is in the current format.
        assertThat(ProfileCodec.encode(p)[0]).isEqualTo((byte) ProfileCodec.VERSION);
        assertThat(ProfileCodec.decode(ProfileCodec.encode(p)).series.get(42L).sum(1)).isEqualTo(new BigDecimal("3.5"));
    }

    private static UserProfile profile() {
        UserProfile p = new UserProfile();
        p.createdAt = 1_700_000_000_000L;
        p.lastBatchAt = 1_700_000_100_000L;
        p.firstSeenAt = Long.MAX_VALUE;
        p.environment = "development";
        p.identities.put("email", "ann@example.com");
        p.deviceInfo.put("platform", "iOS");
        p.consent.put("marketing", new UserProfile.Consent(true, -3));
        p.hasLocation = true;
        p.latitude = 47.6062;
        p.longitude = -122.3321;
        p.locationAt = 5;
        p.seqs.put(7, 3);
        p.seqs.put(1000, 12);
        p.recentRequests = new long[] {1, -1, Long.MAX_VALUE};
        p.definitionsEpoch = 9;
        return p;
    }
}
