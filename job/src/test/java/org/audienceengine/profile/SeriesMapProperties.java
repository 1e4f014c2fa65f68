package org.audienceengine.profile;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * The sorted arrays answer as a sorted map would, whatever the writes and removals, and a stored
 * profile's bytes depend on its series, not on the order they were added in.
 */
class SeriesMapProperties {

    /** A write (keep true) or, with keep false, a removal of the key by {@link SeriesMap#retain}. */
    record Step(long key, boolean keep) {}

    @Property(tries = 2000)
    void answersAsASortedMapDoes(@ForAll("steps") List<Step> steps) {
        SeriesMap m = new SeriesMap();
        TreeMap<Long, BucketSeries> model = new TreeMap<>();
        for (Step s : steps) {
            if (s.keep()) {
                BucketSeries created = m.getOrCreate(s.key());
                assertThat(created).isSameAs(model.computeIfAbsent(s.key(), k -> created));
            } else {
                m.retain((key, series) -> key != s.key());
                model.remove(s.key());
            }
        }

        assertThat(m.size()).isEqualTo(model.size());
        assertThat(m.isEmpty()).isEqualTo(model.isEmpty());
        int i = 0;
        for (Map.Entry<Long, BucketSeries> e : model.entrySet()) {
            assertThat(m.keyAt(i)).isEqualTo(e.getKey());
            assertThat(m.valueAt(i)).isSameAs(e.getValue());
            assertThat(m.get(e.getKey())).isSameAs(e.getValue());
            i++;
        }
        for (Step s : steps) {
            assertThat(m.containsKey(s.key())).isEqualTo(model.containsKey(s.key()));
            assertThat(m.get(s.key() + 1)).isSameAs(model.get(s.key() + 1));
        }
    }

    @Property(tries = 300)
    void storedBytesDoNotDependOnTheOrderSeriesWereAdded(@ForAll("keys") List<Long> keys, @ForAll long seed) {
        List<Long> shuffled = new ArrayList<>(keys);
        Collections.shuffle(shuffled, new Random(seed));
        assertThat(ProfileCodec.encode(profileWith(shuffled))).isEqualTo(ProfileCodec.encode(profileWith(keys)));
        UserProfile back = ProfileCodec.decode(ProfileCodec.encode(profileWith(shuffled)));
        assertThat(back.series.size()).isEqualTo(keys.size());
        for (long key : keys) {
            assertThat(back.series.get(key).sum(0)).isEqualTo(BigDecimal.valueOf(key % 1000));
        }
    }

    private static UserProfile profileWith(List<Long> keys) {
        UserProfile p = new UserProfile();
        for (long key : keys) {
            p.series.getOrCreate(key).add(7, BigDecimal.valueOf(key % 1000));
        }
        return p;
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Long> keys = Arbitraries.oneOf(Arbitraries.longs().between(-20, 20), Arbitraries.longs(),
                Arbitraries.of(Long.MIN_VALUE, Long.MAX_VALUE));
        return Combinators.combine(keys, Arbitraries.integers().between(0, 3)).as((k, kind) -> new Step(k, kind > 0))
                .list().ofMaxSize(60);
    }

    @Provide
    Arbitrary<List<Long>> keys() {
        return Arbitraries.longs().list().ofMaxSize(30).uniqueElements();
    }
}
