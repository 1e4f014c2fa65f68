package org.audienceengine.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.audienceengine.testutils.Batches.DAY;
import static org.audienceengine.testutils.Batches.HOUR;
import static org.audienceengine.testutils.Batches.T0;
import static org.audienceengine.testutils.Batches.audience;
import static org.audienceengine.testutils.Batches.batch;
import static org.audienceengine.testutils.Batches.custom;
import static org.audienceengine.testutils.Batches.definitions;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import org.audienceengine.config.TimeMode;
import org.audienceengine.testutils.Batches.BatchBuilder;
import org.audienceengine.testutils.Deltas;
import org.audienceengine.testutils.Harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Definition changes at run time end where a fresh start ends: a random sequence of documents
 * applied to a live job (some walks left queued, so batches and timers meet users not yet brought
 * over) leaves the same memberships as a job started with the last document over the same
 * batches. The audiences read series that every document keeps (audience 1 holds them), so their
 * history is the same either way.
 */
class DefinitionChangeProperties {
    private static final String[] PLANS = {"pro", "team", "free"};
    /** Criteria a toggled audience may take; each id picks one of its two. */
    private static final String[][] VARIANTS = {
        {"{'event': {'name': 'visit', 'within': '7d', 'count': {'op': 'gte', 'value': 2}}}",
            "{'event': {'name': 'visit', 'within': '7d', 'count': {'op': 'in', 'value': [1, 3]}}}"},
        {"{'and': [{'event': {'name': 'visit', 'within': '7d'}}, {'user_attribute': {'name': 'plan', 'op': 'equals', 'value': 'pro'}}]}",
            "{'not': {'event': {'name': 'visit', 'within': '7d'}}}"},
        {"{'user_attribute': {'name': 'plan', 'op': 'in', 'value': ['pro', 'team']}}",
            "{'user_attribute': {'name': 'plan', 'op': 'equals', 'value': 'free'}}"},
        {"{'event': {'name': 'purchase', 'within': '3d'}}",
            "{'event': {'name': 'purchase', 'within': '3d', 'count': {'op': 'gte', 'value': 2}}}"},
    };
    private static final String KEEPS_SERIES = "{'or': [{'event': {'name': 'visit', 'within': '7d'}},"
            + " {'event': {'name': 'purchase', 'within': '3d'}}]}";

    /** What a batch does: a visit, a purchase, a plan, or a plan with a visit. */
    record Change(long mpid, int kind, String plan) {
        BatchBuilder at(long time) {
            return switch (kind) {
                case 0 -> batch(mpid, time).events(custom("visit", time));
                case 1 -> batch(mpid, time).events(custom("purchase", time));
                case 2 -> batch(mpid, time).attribute("plan", plan);
                default -> batch(mpid, time).attribute("plan", plan).events(custom("visit", time));
            };
        }
    }

    /** One step of the run: a batch at a time, or a document (its walk queued, or run to the end). */
    record Step(long at, Change batch, String document, boolean settle) {
        @Override
        public String toString() {
            return (at - T0) / HOUR + "h " + (batch != null ? batch : (settle ? "settled " : "queued ") + document);
        }
    }

    @Provide
    Arbitrary<String> documents() {
        Arbitrary<Integer> variant = Arbitraries.integers().between(-1, 1); // -1: absent
        return Combinators.combine(variant.list().ofSize(VARIANTS.length), Arbitraries.of(true, false))
                .as((picks, nested) -> {
                    List<String> audiences = new ArrayList<>(List.of(audience(1, KEEPS_SERIES)));
                    for (int i = 0; i < VARIANTS.length; i++) {
                        if (picks.get(i) >= 0) {
                            audiences.add(audience(10 + i, VARIANTS[i][picks.get(i)]));
                        }
                    }
                    if (nested && picks.get(2) >= 0) {
                        audiences.add(audience(20, "{'and': [{'audience': {'id': 12}}, {'audience': {'id': 1}}]}"));
                    }
                    return definitions(audiences.toArray(String[]::new));
                });
    }

    @Provide
    Arbitrary<List<Step>> runs() {
        Arbitrary<Long> user = Arbitraries.longs().between(1, 6);
        Arbitrary<Change> batches = Combinators.combine(user, Arbitraries.integers().between(0, 3),
                Arbitraries.of(PLANS)).as(Change::new);
        Arbitrary<Step> step = Arbitraries.frequencyOf(
                Tuple.of(4, batches.map(b -> new Step(0, b, null, false))),
                Tuple.of(1, Combinators.combine(documents(), Arbitraries.of(true, false))
                        .as((doc, settle) -> new Step(0, null, doc, settle))));
        Arbitrary<Long> gaps = Arbitraries.longs().between(0, 36 * HOUR);
        return Combinators.combine(step.list().ofMinSize(5).ofMaxSize(40), gaps.list().ofSize(40)).as((steps, gap) -> {
            List<Step> timed = new ArrayList<>();
            long at = T0;
            for (int i = 0; i < steps.size(); i++) {
                at += gap.get(i);
                Step s = steps.get(i);
                timed.add(new Step(at, s.batch(), s.document(), s.settle()));
            }
            return timed;
        });
    }

    @Property(tries = 150)
    void changesAtRunTimeEndWithTheMembershipsOfAFreshStart(@ForAll("documents") String first,
            @ForAll("runs") List<Step> run) throws Exception {
        sameEnd(TimeMode.PROCESSING, first, run);
    }

    @Property(tries = 100)
    void inEventTimeToo(@ForAll("documents") String first, @ForAll("runs") List<Step> run) throws Exception {
        sameEnd(TimeMode.EVENT, first, run);
    }

    private static void sameEnd(TimeMode mode, String first, List<Step> run) throws Exception {
        String last = first;
        for (Step s : run) {
            if (s.document() != null) {
                last = s.document();
            }
        }
        long end = run.get(run.size() - 1).at() + 10 * DAY;
        Map<Long, Set<Integer>> changed = play(mode, first, run, true, end);
        Map<Long, Set<Integer>> fresh = play(mode, last, run, false, end);
        assertThat(changed).isEqualTo(fresh);
    }

    private static Map<Long, Set<Integer>> play(TimeMode mode, String document, List<Step> run, boolean withChanges,
            long end) throws Exception {
        try (Harness h = Harness.open(Harness.settings(document).timeMode(mode).build(), Harness.Backend.HEAP)) {
            for (Step s : run) {
                h.processingTime(s.at());
                if (mode == TimeMode.EVENT) {
                    // Time reaches the step first: the batches before it apply, then this one waits.
                    h.watermark(s.at() - 1);
                }
                if (s.batch() != null) {
                    h.push(s.batch().at(s.at()));
                } else if (withChanges && s.settle()) {
                    h.definitions(s.document());
                } else if (withChanges) {
                    h.definitionsQueued(s.document());
                }
            }
            h.settle();
            h.processingTime(end);
            h.watermark(end);
            return Deltas.members(h.allDeltas());
        }
    }
}
