package org.audienceengine.evaluation;

import org.audienceengine.profile.UserProfile;

import java.util.Map;

/** What a condition is evaluated against: a profile at time T, with this update's memberships. */
public final class EvaluationContext {
    public final UserProfile profile;
    public final long at;
    /** Memberships decided so far in this evaluation (non-nested audiences come first). */
    final Map<Integer, Boolean> decided;

    EvaluationContext(UserProfile profile, long at, Map<Integer, Boolean> decided) {
        this.profile = profile;
        this.at = at;
        this.decided = decided;
    }

    boolean isMember(int audienceId) {
        Boolean now = decided.get(audienceId);
        return now != null ? now : profile.isMember(audienceId);
    }
}
