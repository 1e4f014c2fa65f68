package org.audienceengine.evaluation;

import org.audienceengine.definitions.Audience;
import org.audienceengine.profile.ProfileUpdater;

import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * Which audiences a batch evaluates. Only those that read something the batch changed: every
 * instant before the batch has been evaluated, so the others hold as they are. Of those it
 * reached only by adding events, the ones that cannot flip that way are passed over too (see
 * {@link Direction}). A profile's first batch finds it empty: the audiences it does not reach
 * read as on an empty profile, and those needing an event or an attribute it did not bring are
 * not members ({@link InputRequirements}).
 */
final class BatchReach {
    private final AudienceInputs inputs;
    /** Per audience, by evaluation position: how adding events can move its criteria. */
    private final Direction[] directions;
    /**
     * By evaluation position: the audiences a profile with nothing in it is a member of. Without
     * events, attributes or a first-seen time no condition reads the clock, so this holds at any
     * time, and a new user's first batch evaluates only the audiences it reaches and these.
     */
    private final BitSet memberWhenEmpty;
    private final InputRequirements requirements;

    /** @param memberWhenEmpty by evaluation position: each audience's verdict on an empty profile */
    BatchReach(AudienceInputs inputs, List<Audience> inEvaluationOrder, boolean[] memberWhenEmpty) {
        this.inputs = inputs;
        this.directions = new Direction[inEvaluationOrder.size()];
        for (int i = 0; i < directions.length; i++) {
            Audience a = inEvaluationOrder.get(i);
            directions[i] = a.enabled() ? Direction.of(a.criteria()) : Direction.ANY;
        }
        this.requirements = new InputRequirements(inEvaluationOrder);
        this.memberWhenEmpty = new BitSet(memberWhenEmpty.length);
        for (int i = 0; i < memberWhenEmpty.length; i++) {
            if (memberWhenEmpty[i]) {
                this.memberWhenEmpty.set(i);
            }
        }
    }

    /** The marks of one batch, taken as {@link ProfileUpdater} reports what it changed. */
    Marks marks(boolean first) {
        return new Marks(first);
    }

    /** The audiences to evaluate, and the nested audiences that refer to them. */
    BitSet affected(Marks marks, boolean[] wereMembers) {
        BitSet affected = marks.mustEvaluate;
        if (marks.met != null) {
            affected.or(marks.reached);
            affected.or(memberWhenEmpty);
            // The profile holds the batch's inputs alone, and no memberships yet.
            requirements.dropUnmet(affected, marks.met);
        } else {
            for (int i = marks.reached.nextSetBit(0); i >= 0; i = marks.reached.nextSetBit(i + 1)) {
                if (!directions[i].holds(wereMembers[i])) {
                    affected.set(i);
                }
            }
        }
        // Nested audiences follow only the audiences that may flip.
        inputs.addDependants(affected);
        return affected;
    }

    final class Marks implements ProfileUpdater.Changes {
        private final BitSet reached = new BitSet(inputs.size());
        /** Reached by a changed field or a negative value: evaluated whatever their direction. */
        private final BitSet mustEvaluate = new BitSet(inputs.size());
        /** On a first batch: the audiences whose required inputs (if any) the batch brought. */
        private final BitSet met;
        /** A user identity changed. */
        boolean identityChanged;
        /** One that deltas carry (user or device) changed. */
        boolean carriedIdentityChanged;
        /** The first-seen time changed, and with it the first-seen edges. */
        boolean firstSeenMoved;
        /** The keys of the series events were added to (a key may repeat). */
        long[] touched = new long[4];
        int touchedCount;

        private Marks(boolean first) {
            this.met = first ? new BitSet(inputs.size()) : null;
        }

        @Override
        public void field(String input) {
            inputs.fieldChanged(input, mustEvaluate);
            if (met != null) {
                // On a first batch a changed field is one the batch set.
                requirements.fieldMet(input, met);
            }
            firstSeenMoved |= input.equals(AudienceInputs.FIRST_SEEN);
            identityChanged |= input.startsWith(AudienceInputs.identity(""));
            carriedIdentityChanged |= identityChanged || input.startsWith(AudienceInputs.device(""));
        }

        @Override
        public void series(long seriesKey, boolean lowered) {
            if (touchedCount == 0 || touched[touchedCount - 1] != seriesKey) {
                if (touchedCount == touched.length) {
                    touched = Arrays.copyOf(touched, touchedCount * 2);
                }
                touched[touchedCount++] = seriesKey;
            }
            inputs.seriesChanged(seriesKey, lowered ? mustEvaluate : reached);
            if (met != null) {
                requirements.seriesMet(seriesKey, met);
            }
        }
    }
}
