package org.audienceengine.deltas;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonIgnore;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The writer that reuses the shared fields' bytes writes every delta as the mapper does, in any
 * sequence: tails shared, equal but copied, or differing only in a decimal's scale.
 */
class DeltaWriterProperties {

    @Property(tries = 500)
    void writesWhatTheMapperWrites(@ForAll("sequences") List<MembershipDelta> deltas) {
        DeltaWriter writer = new DeltaWriter();
        for (MembershipDelta d : deltas) {
            assertThat(new String(writer.toBytes(d), StandardCharsets.UTF_8))
                    .isEqualTo(new String(DeltaJson.toBytes(d), StandardCharsets.UTF_8));
        }
    }

    /** Its field list is the mapper's: a field added to MembershipDelta must be written here too. */
    @Example
    void writesEveryFieldOfADelta() throws Exception {
        MembershipDelta d = new MembershipDelta();
        for (Field f : MembershipDelta.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) || f.isAnnotationPresent(JsonIgnore.class)) {
                continue;
            }
            Class<?> type = f.getType();
            f.set(d, type == int.class ? (Object) 7 : type == long.class ? (Object) 9L
                    : type == String.class ? f.getName() : Map.of(f.getName(), f.getName()));
        }
        assertThat(new String(new DeltaWriter().toBytes(d), StandardCharsets.UTF_8))
                .isEqualTo(new String(DeltaJson.toBytes(d), StandardCharsets.UTF_8));
    }

    @Provide
    Arbitrary<List<MembershipDelta>> sequences() {
        Arbitrary<MembershipDelta> first = delta(tails());
        return first.list().ofMinSize(1).ofMaxSize(12).flatMap(seeds -> Arbitraries.integers().between(0, 3).list()
                .ofSize(seeds.size()).map(kinds -> {
                    List<MembershipDelta> out = new ArrayList<>();
                    for (int i = 0; i < seeds.size(); i++) {
                        MembershipDelta d = seeds.get(i);
                        if (i > 0 && kinds.get(i) > 0) {
                            MembershipDelta before = out.get(i - 1);
                            // As a batch's deltas do: the tail of the delta before, the same maps or equal copies.
                            d.identities = kinds.get(i) == 1 ? before.identities : copy(before.identities);
                            d.deviceIdentities = before.deviceIdentities;
                            d.userAttributes = kinds.get(i) == 1 ? before.userAttributes : copy(before.userAttributes);
                            d.environment = before.environment;
                            if (kinds.get(i) == 3 && d.userAttributes != null && !d.userAttributes.isEmpty()) {
                                // The same keys, one value changed: a decimal only in its scale
                                // (1.50 against 1.5: equal in value, not in text).
                                String key = d.userAttributes.keySet().iterator().next();
                                Object v = d.userAttributes.get(key);
                                d.userAttributes.put(key, v instanceof BigDecimal x ? x.setScale(x.scale() + 1) : "changed " + v);
                            }
                        }
                        out.add(d);
                    }
                    return out;
                }));
    }

    private static <V> Map<String, V> copy(Map<String, V> map) {
        return map == null ? null : new TreeMap<>(map);
    }

    private Arbitrary<MembershipDelta> delta(Arbitrary<Object[]> tails) {
        Arbitrary<String> names = Arbitraries.oneOf(text(), Arbitraries.just(null));
        return Combinators.combine(Arbitraries.integers(), Arbitraries.longs(), names, names,
                Arbitraries.of(MembershipDelta.ADD, MembershipDelta.REMOVE), Arbitraries.of(Reason.CRITERIA, Reason.ERASURE),
                Arbitraries.integers().between(1, 1000), tails).as((id, mpid, name, external, action, reason, seq, tail) -> {
                    MembershipDelta d = new MembershipDelta();
                    d.audienceId = id;
                    d.mpid = mpid;
                    d.audienceName = name;
                    d.externalName = external;
                    d.action = action;
                    d.reason = reason;
                    d.effectiveAt = mpid / 3;
                    d.seq = seq;
                    d.profileCreatedAt = mpid / 7;
                    d.deltaId = MembershipDelta.deltaId(id, mpid, d.profileCreatedAt, seq);
                    d.deltaIdIsPlain = true;
                    @SuppressWarnings("unchecked")
                    Map<String, String> ids = (Map<String, String>) tail[0];
                    d.identities = ids;
                    @SuppressWarnings("unchecked")
                    Map<String, String> device = (Map<String, String>) tail[1];
                    d.deviceIdentities = device;
                    @SuppressWarnings("unchecked")
                    Map<String, Object> attributes = (Map<String, Object>) tail[2];
                    d.userAttributes = attributes;
                    d.environment = (String) tail[3];
                    return d;
                });
    }

    private Arbitrary<Object[]> tails() {
        Arbitrary<Map<String, String>> strings = Arbitraries.maps(text(), Arbitraries.oneOf(text(), Arbitraries.just(null)))
                .ofMaxSize(4).map(TreeMap::new);
        Arbitrary<Object> values = Arbitraries.oneOf(text(), decimals(), Arbitraries.of(Boolean.TRUE, Boolean.FALSE),
                text().list().ofMaxSize(3).map(List::copyOf), Arbitraries.integers().map(i -> (Object) i),
                Arbitraries.longs().map(l -> (Object) l));
        Arbitrary<Map<String, Object>> attributes = Arbitraries.maps(text(), values).ofMaxSize(6).map(TreeMap::new);
        return Combinators.combine(Arbitraries.oneOf(strings, Arbitraries.just(null)), strings,
                Arbitraries.oneOf(attributes, Arbitraries.just(null)), Arbitraries.of("production", "development", null))
                .as((a, b, c, e) -> new Object[] {a, b, c, e});
    }

    private static Arbitrary<Object> decimals() {
        return Combinators.combine(Arbitraries.bigIntegers().between(BigInteger.TEN.pow(25).negate(), BigInteger.TEN.pow(25)),
                Arbitraries.integers().between(-8, 12)).as((u, scale) -> (Object) new BigDecimal(u, scale));
    }

    private static Arbitrary<String> text() {
        return Arbitraries.oneOf(Arbitraries.strings().alpha().ofMaxLength(8),
                Arbitraries.strings().all().ofMaxLength(6), Arbitraries.of("\"", "\\", "\n", "é", "😀", ""));
    }
}
