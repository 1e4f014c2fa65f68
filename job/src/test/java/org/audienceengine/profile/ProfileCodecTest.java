package org.audienceengine.profile;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

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
        assertThat(back.memberships).isEqualTo(p.memberships);
        assertThat(back.memberships.since(-3)).isEqualTo(UserProfile.UNKNOWN);
        assertThat(back.memberships.since(1000)).isEqualTo(-5L);
        assertThat(back.recentRequests).isEqualTo(p.recentRequests);
        assertThat(back.consent).isEqualTo(p.consent);
        assertThat(back.latitude).isEqualTo(p.latitude);
    }

    /** A batch touches a few series: the others are written back as they were read, unopened. */
    @Test
    void untouchedSeriesAreWrittenBackAsTheyWereRead() {
        UserProfile p = profile();
        BucketSeries counted = new BucketSeries();
        counted.add(10, null);
        counted.add(12, null);
        BucketSeries summed = new BucketSeries();
        summed.add(10, new BigDecimal("2.5"));
        summed.add(11, new BigDecimal("-1"));
        p.series.put(1L, counted);
        p.series.put(2L, summed);
        BucketSeries untouched = new BucketSeries();
        untouched.add(300, new BigDecimal("7.25"));
        untouched.add(5, null);
        p.series.put(3L, untouched);
        byte[] stored = ProfileCodec.encode(p);

        UserProfile read = ProfileCodec.decode(stored);
        assertThat(read.series.get(1L).isPacked()).isTrue();
        assertThat(read.series.get(2L).ceilingIndex(11)).isEqualTo(1);
        assertThat(read.series.get(2L).isPacked()).isTrue();
        assertThat(ProfileCodec.encode(read)).isEqualTo(stored);

        read.series.get(2L).add(11, new BigDecimal("4"));
        read.series.get(1L).dropThrough(10);
        UserProfile again = ProfileCodec.decode(ProfileCodec.encode(read));
        BucketSeries c = again.series.get(1L);
        assertThat(c.size()).isEqualTo(1);
        assertThat(c.bucket(0)).isEqualTo(12);
        assertThat(c.count(0)).isEqualTo(1);
        BucketSeries s = again.series.get(2L);
        assertThat(s.count(1)).isEqualTo(2);
        assertThat(s.sum(1)).isEqualTo(new BigDecimal("3"));
        assertThat(s.min(1)).isEqualTo(new BigDecimal("-1"));
        assertThat(s.max(0)).isEqualTo(new BigDecimal("2.5"));
        // Copied beside the re-encoded ones, bucket numbers and all.
        assertThat(read.series.get(3L).isPacked()).isTrue();
        BucketSeries u = again.series.get(3L);
        assertThat(u.size()).isEqualTo(2);
        assertThat(u.bucket(0)).isEqualTo(5);
        assertThat(u.bucket(1)).isEqualTo(300);
        assertThat(u.count(0)).isEqualTo(1);
        assertThat(u.sum(1)).isEqualTo(new BigDecimal("7.25"));
        assertThat(again.memberships).isEqualTo(p.memberships);
    }

    @Test
    void decimalsKeepValueAndScaleAroundTheLongBoundary() {
        String[] values = {"0", "0.000", "-1.5E+3", "12.50", "999999999999999999", "-999999999999999.999",
            "1000000000000000000", "4611686018427387903", "4611686018427387904", "9223372036854775808",
            "-123456789012345678901234567890.5", "1E-400"};
        for (String text : values) {
            UserProfile p = profile();
            p.attributes.clear();
            p.attributes.put("v", new BigDecimal(text));
            BigDecimal back = (BigDecimal) ProfileCodec.decode(ProfileCodec.encode(p)).attributes.get("v");
            assertThat(back).as(text).isEqualTo(new BigDecimal(text));
            assertThat(back.scale()).as(text).isEqualTo(new BigDecimal(text).scale());
        }
    }

    @Test
    void bucketNumbersAreDecodedOnlyWhenMoreThanTheFirstIsAsked() {
        UserProfile p = profile();
        // Gaps of one, two and three varint bytes, so that passing over them must count bytes right.
        BucketSeries wide = new BucketSeries();
        for (long q : new long[] {5, 6, 300, 100_000, 100_001}) {
            wide.add(q, new BigDecimal("1.5"));
        }
        BucketSeries next = new BucketSeries();
        next.add(70_000, null);
        next.add(70_200, null);
        BucketSeries single = new BucketSeries();
        single.add(40, null);
        p.series.put(1L, wide);
        p.series.put(2L, next);
        p.series.put(3L, single);
        byte[] stored = ProfileCodec.encode(p);

        UserProfile read = ProfileCodec.decode(stored);
        BucketSeries w = read.series.get(1L);
        assertThat(w.size()).isEqualTo(5);
        // A prune that drops nothing reads only the first bucket.
        w.dropThrough(4);
        assertThat(w.numbersPacked()).isTrue();
        assertThat(read.series.get(2L).numbersPacked()).isTrue();
        assertThat(ProfileCodec.encode(read)).isEqualTo(stored);

        BucketSeries n = read.series.get(2L);
        assertThat(n.bucket(1)).isEqualTo(70_200);
        assertThat(n.bucket(0)).isEqualTo(70_000);
        assertThat(n.isPacked()).isTrue();
        assertThat(read.series.get(3L).ceilingIndex(41)).isEqualTo(1);
        w.dropThrough(300);
        assertThat(w.size()).isEqualTo(2);
        assertThat(w.bucket(0)).isEqualTo(100_000);
        assertThat(w.sum(1)).isEqualTo(new BigDecimal("1.5"));
        UserProfile again = ProfileCodec.decode(ProfileCodec.encode(read));
        assertThat(again.series.get(1L).bucket(1)).isEqualTo(100_001);
        assertThat(again.series.get(1L).count(0)).isEqualTo(1);
        assertThat(again.series.get(2L).bucket(1)).isEqualTo(70_200);
        assertThat(again.series.get(3L).bucket(0)).isEqualTo(40);
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
        p.memberships.put(1000, 12, -5L);
        p.memberships.put(7, 3, 1_700_000_050_000L);
        p.memberships.put(8, 1, 1_700_000_050_000L);
        // Read from a format without times, then given a delta elsewhere.
        p.memberships.put(-3, 2, UserProfile.UNKNOWN);
        p.memberships.put(Integer.MAX_VALUE, 1, Long.MAX_VALUE);
        p.recentRequests = new long[] {1, -1, Long.MAX_VALUE};
        p.definitionsEpoch = 9;
        return p;
    }
}
