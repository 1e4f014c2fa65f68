package org.audienceengine.profile;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.statistics.Statistics;

import java.util.Random;

/**
 * A profile read back and changed as steps change it (deltas on audiences it has, deltas on new
 * ones, a new batch time) is written as the same bytes as the same profile built from nothing:
 * the memberships a step left alone are copied from what was read, and that copy must be exact
 * whatever changed around them.
 */
class MembershipBytesProperties {
    private static final long T = 1_767_225_600_000L;

    @Property(tries = 2_000)
    void memberhipsWrittenFromTheirStoredBytesAreTheBytesOfAFreshEncoding(@ForAll long seed) {
        Random random = new Random(seed);
        UserProfile original = profile(random);
        UserProfile read = ProfileCodec.decode(ProfileCodec.encode(original));
        UserProfile fresh = ProfileCodec.decode(ProfileCodec.encode(original));
        int changes = random.nextInt(4) == 0 ? 0 : random.nextInt(6);
        for (int c = 0; c < changes; c++) {
            int audience = random.nextBoolean() && read.memberships.size() > 0
                    ? read.memberships.audienceAt(random.nextInt(read.memberships.size()))
                    : 1 + random.nextInt(60);
            long at = random.nextInt(5) == 0 ? UserProfile.UNKNOWN : T + random.nextInt(1_000_000);
            int seq = read.memberships.seq(audience) + 1;
            read.memberships.put(audience, seq, at);
            fresh.memberships.put(audience, seq, at);
        }
        if (random.nextBoolean()) {
            read.lastBatchAt += 1 + random.nextInt(100_000);
            fresh.lastBatchAt = read.lastBatchAt;
        }
        Statistics.label("changes").collect(changes);
        assertThat(ProfileCodec.encode(read)).isEqualTo(ProfileCodec.encode(copyOf(fresh)));
        assertThat(ProfileCodec.decode(ProfileCodec.encode(read)).memberships).isEqualTo(fresh.memberships);
    }

    private static UserProfile profile(Random random) {
        UserProfile p = new UserProfile();
        p.createdAt = T - random.nextInt(1_000_000);
        p.lastBatchAt = T;
        p.firstSeenAt = p.createdAt;
        p.timerAt = UserProfile.UNKNOWN;
        p.environment = "production";
        int n = random.nextInt(40);
        for (int i = 0; i < n; i++) {
            int audience = 1 + random.nextInt(random.nextBoolean() ? 60 : 5_000);
            long at = random.nextInt(6) == 0 ? UserProfile.UNKNOWN : T - random.nextInt(90 * 86_400) * 1000L;
            p.memberships.put(audience, 1 + random.nextInt(5), at);
        }
        return p;
    }

    /** The same profile with memberships that hold no stored bytes. */
    private static UserProfile copyOf(UserProfile p) {
        UserProfile q = ProfileCodec.decode(ProfileCodec.encode(p));
        UserProfile copy = new UserProfile();
        copy.createdAt = q.createdAt;
        copy.lastBatchAt = q.lastBatchAt;
        copy.firstSeenAt = q.firstSeenAt;
        copy.timerAt = q.timerAt;
        copy.environment = q.environment;
        for (int i = 0; i < p.memberships.size(); i++) {
            copy.memberships.put(p.memberships.audienceAt(i), p.memberships.seqAt(i), p.memberships.sinceAt(i));
        }
        return copy;
    }
}
