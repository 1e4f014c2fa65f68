package org.audienceengine.evaluation;

import org.audienceengine.definitions.AudienceSet;
import org.audienceengine.profile.UserProfile;

import java.util.BitSet;

/** What a condition is evaluated against: a profile at time T, with this update's memberships. */
public final class EvaluationContext {
    public final UserProfile profile;
    public final long at;
    private final AudienceSet set;
    /** Memberships decided so far in this evaluation, by evaluation position (non-nested audiences come first). */
    private final BitSet decided;
    private final BitSet members;

    EvaluationContext(UserProfile profile, long at, AudienceSet set) {
        this.profile = profile;
        this.at = at;
        this.set = set;
        this.decided = new BitSet(set.inEvaluationOrder().size());
        this.members = new BitSet(set.inEvaluationOrder().size());
    }

    /** Records the membership this evaluation decided for the audience at {@code position}. */
    void decide(int position, boolean member) {
        decided.set(position);
        if (member) {
            // Each position is decided once, on a fresh set: clearing would only cost.
            members.set(position);
        }
    }

    boolean isMember(int audienceId) {
        int i = set.position(audienceId);
        return i >= 0 && decided.get(i) ? members.get(i) : profile.isMember(audienceId);
    }
}
