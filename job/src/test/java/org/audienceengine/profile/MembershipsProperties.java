package org.audienceengine.profile;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The sorted arrays answer as the maps they replaced, and survive the codec, whatever the writes. */
class MembershipsProperties {

    record Write(int audience, int seq, long since) {}

    @Property(tries = 2000)
    void answersAsSortedMapsDo(@ForAll("writes") List<Write> writes, @ForAll("times") long lastBatchAt) {
        Memberships m = new Memberships();
        TreeMap<Integer, Write> model = new TreeMap<>();
        for (Write w : writes) {
            m.put(w.audience(), w.seq(), w.since());
            model.put(w.audience(), w);
        }

        assertThat(m.size()).isEqualTo(model.size());
        int i = 0;
        for (Map.Entry<Integer, Write> e : model.entrySet()) {
            assertThat(m.audienceAt(i)).isEqualTo(e.getKey());
            assertThat(m.seqAt(i)).isEqualTo(e.getValue().seq());
            assertThat(m.sinceAt(i)).isEqualTo(e.getValue().since());
            assertThat(m.isMember(e.getKey())).isEqualTo((e.getValue().seq() & 1) == 1);
            i++;
        }
        for (Write w : writes) {
            int absent = w.audience() + 1;
            if (!model.containsKey(absent)) {
                assertThat(m.has(absent)).isFalse();
                assertThat(m.seq(absent)).isZero();
                assertThat(m.since(absent)).isEqualTo(UserProfile.UNKNOWN);
            }
        }

        UserProfile p = new UserProfile();
        p.lastBatchAt = lastBatchAt;
        for (int j = 0; j < m.size(); j++) {
            p.memberships.put(m.audienceAt(j), m.seqAt(j), m.sinceAt(j));
        }
        assertThat(ProfileCodec.decode(ProfileCodec.encode(p)).memberships).isEqualTo(m);
    }

    @Provide
    Arbitrary<List<Write>> writes() {
        Arbitrary<Integer> audiences = Arbitraries.oneOf(
                Arbitraries.integers().between(0, 60), Arbitraries.integers().between(-5, 5), Arbitraries.integers());
        Arbitrary<Integer> seqs = Arbitraries.oneOf(Arbitraries.integers().between(1, 9), Arbitraries.integers());
        return Combinators.combine(audiences, seqs, times()).as(Write::new).list().ofMaxSize(80);
    }

    @Provide
    Arbitrary<Long> times() {
        return Arbitraries.oneOf(
                Arbitraries.of(UserProfile.UNKNOWN, Long.MAX_VALUE, 0L, 1_700_000_000_000L),
                Arbitraries.longs().between(1_699_000_000_000L, 1_701_000_000_000L),
                Arbitraries.longs());
    }
}
