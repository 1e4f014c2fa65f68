package org.audienceengine.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

import org.audienceengine.config.EngineSettings;
import org.audienceengine.config.TimeMode;
import org.audienceengine.deltas.MembershipDelta;
import org.audienceengine.evaluation.Scenarios.Scenario;
import org.audienceengine.ingest.BatchParser;
import org.audienceengine.ingest.IngestedBatch;
import org.audienceengine.profile.ProfileCodec;
import org.audienceengine.profile.UserAudiencesOperator;
import org.audienceengine.reference.RefJson;
import org.audienceengine.reference.RefModel.Audience;
import org.audienceengine.reference.RefModel.Batch;
import org.audienceengine.reference.RefModel.Delta;
import org.audienceengine.reference.ReferenceEvaluator;
import org.audienceengine.testutils.Harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The engine, run through its keyed operator in replay (event-time) mode, against the naive
 * reference evaluator of audiences.md on random definitions and users: the same deltas per
 * (audience, mpid), in the same order, with the same action, reason, effective_at and seq.
 */
class EvaluationProperties {

    @Provide
    Arbitrary<Scenario> scenarios() {
        return Arbitraries.randomValue(Scenarios::generate);
    }

    @Provide
    Arbitrary<Scenario> aggregateScenarios() {
        return Arbitraries.randomValue(Scenarios::aggregates);
    }

    @Property(tries = 200)
    void engineAgreesWithTheReference(@ForAll("scenarios") Scenario s) throws Exception {
        collectStatistics(s, assertEngineAgrees(s));
    }

    /** Sums and averages of decimal amounts near their thresholds: exact arithmetic, not floating point. */
    @Property(tries = 200)
    void aggregatesAgreeWithTheReference(@ForAll("aggregateScenarios") Scenario s) throws Exception {
        assertEngineAgrees(s);
    }

    private static List<Delta> assertEngineAgrees(Scenario s) throws Exception {
        List<MembershipDelta> engine;
        try (Engine e = new Engine(s)) {
            e.pushAll();
            e.harness.processWatermark1(new Watermark(Long.MAX_VALUE));
            engine = e.harness.extractOutputValues();
        }
        List<Delta> expected = new ReferenceEvaluator(s.audiences(), s.lifetimeMs()).run(s.batches());
        List<Delta> actual = engine.stream()
                .map(d -> new Delta(d.audienceId, d.mpid, d.action, d.reason, d.effectiveAt, d.seq))
                .toList();
        assertThat(byPair(actual)).as("deltas per audience:mpid for\n%s", s).isEqualTo(byPair(expected));
        return expected;
    }

    /** Profiles as the operator stored them, at every batch time: decoding and re-encoding gives the same bytes. */
    @Property(tries = 100)
    void storedProfilesRoundTripThroughTheCodec(@ForAll("scenarios") Scenario s) throws Exception {
        TreeSet<Long> instants = new TreeSet<>();
        s.batches().forEach(b -> instants.add(ReferenceEvaluator.batchTime(b)));
        int checked = 0;
        try (Engine e = new Engine(s)) {
            e.pushAll();
            for (long at : instants) {
                e.harness.processWatermark1(new Watermark(at));
                for (long mpid : Scenarios.users(s)) {
                    byte[] stored = e.profileBytes(mpid);
                    if (stored != null) {
                        assertThat(ProfileCodec.encode(ProfileCodec.decode(stored)))
                                .as("profile of %d at %d for\n%s", mpid, at, s)
                                .isEqualTo(stored);
                        checked++;
                    }
                }
            }
        }
        assertThat(checked).isPositive();
    }

    /**
     * The engine's keyed operator in a test harness on heap state, fed the scenario's batches. The
     * definitions side stays silent: the operator starts from the settings' document.
     */
    private static final class Engine implements AutoCloseable {
        final Scenario scenario;
        final KeyedTwoInputStreamOperatorTestHarness<Long, IngestedBatch, String, MembershipDelta> harness;

        Engine(Scenario s) throws Exception {
            this.scenario = s;
            EngineSettings settings = EngineSettings.builder(s.definitionsJson())
                    .timeMode(TimeMode.EVENT)
                    .profileLifetimeMs(s.lifetimeMs())
                    .build();
            harness = Harness.operator(settings, Harness.Backend.HEAP);
            harness.open();
            // As in the job, the definitions input never holds event time back.
            harness.processWatermark2(new Watermark(Long.MAX_VALUE));
        }

        void pushAll() throws Exception {
            for (Batch b : scenario.batches()) {
                byte[] payload = RefJson.batch(b);
                long batchTime = ReferenceEvaluator.batchTime(b);
                // The ingest step stamps the batch time; it must be the one of audiences.md.
                BatchParser.Result parsed = BatchParser.parse(payload, null);
                assertThat(parsed.ok()).as("%s", parsed.rejection()).isTrue();
                assertThat(parsed.batch().batchTime).isEqualTo(batchTime);
                harness.processElement1(new IngestedBatch(b.mpid(), batchTime, b.order(), null, payload), batchTime);
            }
        }

        byte[] profileBytes(long mpid) throws Exception {
            KeyedStateBackend<Long> backend = harness.getOperator().getKeyedStateBackend();
            backend.setCurrentKey(mpid);
            ValueState<byte[]> state = backend.getPartitionedState(
                    VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, UserAudiencesOperator.profileDescriptor());
            return state.value();
        }

        @Override
        public void close() throws Exception {
            harness.close();
        }
    }

    private static Map<String, List<String>> byPair(List<Delta> deltas) {
        Map<String, List<String>> out = new TreeMap<>();
        for (Delta d : deltas) {
            out.computeIfAbsent(d.audienceId() + ":" + d.mpid(), k -> new ArrayList<>()).add(d.toString());
        }
        return out;
    }

    /** Guards against a generator that stops reaching the interesting cases. */
    private static void collectStatistics(Scenario s, List<Delta> deltas) {
        TreeSet<Integer> nested = new TreeSet<>();
        for (Audience a : s.audiences()) {
            if (ReferenceEvaluator.refersToAudience(a.criteria())) {
                nested.add(a.id());
            }
        }
        boolean removeByExpiry = deltas.stream().anyMatch(d -> d.reason().equals("expiry") && d.action().equals("remove"));
        boolean addByExpiry = deltas.stream().anyMatch(d -> d.reason().equals("expiry") && d.action().equals("add"));
        boolean nestedFlips = deltas.stream().anyMatch(d -> nested.contains(d.audienceId()));
        Statistics.label("remove by expiry").collect(removeByExpiry);
        Statistics.label("add by expiry").collect(addByExpiry);
        Statistics.label("nested audience flips").collect(nestedFlips);
        Statistics.label("profile recreated after its lifetime").collect(profileRecreated(deltas));
        Statistics.label("remove by expiry").coverage(c -> c.check(true).percentage(p -> p >= 20));
        Statistics.label("add by expiry").coverage(c -> c.check(true).percentage(p -> p >= 5));
        Statistics.label("nested audience flips").coverage(c -> c.check(true).percentage(p -> p >= 5));
        Statistics.label("profile recreated after its lifetime").coverage(c -> c.check(true).percentage(p -> p >= 5));
    }

    /** A pair whose seq starts again at 1 after a profile_expired delta. */
    private static boolean profileRecreated(List<Delta> deltas) {
        Map<String, Boolean> expired = new TreeMap<>();
        for (Delta d : deltas) {
            String pair = d.audienceId() + ":" + d.mpid();
            if (d.seq() == 1 && expired.getOrDefault(pair, false)) {
                return true;
            }
            if (d.reason().equals("profile_expired")) {
                expired.put(pair, true);
            }
        }
        return false;
    }
}
