package org.audienceengine.evaluation;

import org.audienceengine.definitions.AudienceSet;
import org.audienceengine.profile.UserProfile;

import java.math.BigDecimal;
import java.util.BitSet;

/** What a condition is evaluated against: a profile at time T, with this update's memberships. */
public final class EvaluationContext {
    /** Set anew for each evaluation ({@link #reset}), so read only within this package. */
    UserProfile profile;
    long at;
    private final AudienceSet set;
    /** Memberships decided so far in this evaluation, by evaluation position (non-nested audiences come first). */
    private final BitSet decided;
    private final BitSet members;
    /** Null: each condition computes its own aggregate. */
    private final AggregateMemo memo;

    EvaluationContext(UserProfile profile, long at, AudienceSet set) {
        this(profile, at, set, null);
    }

    /** @param memo started for this evaluation ({@link AggregateMemo#next}) */
    EvaluationContext(UserProfile profile, long at, AudienceSet set, AggregateMemo memo) {
        this.profile = profile;
        this.at = at;
        this.set = set;
        this.memo = memo;
        this.decided = new BitSet(set.inEvaluationOrder().size());
        this.members = new BitSet(set.inEvaluationOrder().size());
    }

    /** Starts a new evaluation of {@code profile} at {@code at}, with nothing decided. */
    void reset(UserProfile profile, long at) {
        this.profile = profile;
        this.at = at;
        decided.clear();
        members.clear();
    }

    /** Records the membership this evaluation decided for the audience at {@code position}. */
    void decide(int position, boolean member) {
        decided.set(position);
        if (member) {
            // Each position is decided once, on a cleared set: clearing here would only cost.
            members.set(position);
        }
    }

    /** The events of the condition's series in its window at T. */
    long count(Conditions.EventAggregate e) {
        return memo != null ? memo.count(e, this) : e.count(profile.series.get(e.seriesKey()), at);
    }

    /** The condition's aggregate over its window at T; null for "no value". */
    BigDecimal value(Conditions.EventAggregate e) {
        return memo != null ? memo.value(e, this) : e.value(profile.series.get(e.seriesKey()), at);
    }

    boolean isMember(int audienceId) {
        int i = set.position(audienceId);
        return i >= 0 && decided.get(i) ? members.get(i) : profile.isMember(audienceId);
    }
}
