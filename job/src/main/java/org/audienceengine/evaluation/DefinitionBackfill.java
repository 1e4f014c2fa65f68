package org.audienceengine.evaluation;

import org.audienceengine.definitions.Audience;
import org.audienceengine.definitions.AudienceSet;
import org.audienceengine.deltas.DeltaFactory;
import org.audienceengine.deltas.DeltaFactory.Identities;
import org.audienceengine.deltas.MembershipDelta;
import org.audienceengine.deltas.Reason;
import org.audienceengine.profile.ProfileUpdater;
import org.audienceengine.profile.UserProfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Re-evaluates one user when the definitions in force change (audiences.md "Changes at run
 * time"): created or changed audiences (and nested audiences referring to them) flip with
 * {@code reason: "definition"}, members of removed or disabled audiences are removed with that
 * reason. The caller has evaluated every earlier instant, so the other audiences are exact at T.
 * Event conditions of a new audience see the history of any series they share with the
 * audiences that were already there.
 */
public final class DefinitionBackfill {
    private DefinitionBackfill() {}

    public static List<MembershipDelta> apply(
            long mpid, UserProfile p, long at, AudienceSet previous, AudienceSet current, Set<Integer> changed) {
        Identities ids = Identities.of(p);
        List<MembershipDelta> out = new ArrayList<>();
        for (int i = 0; i < p.memberships.size(); i++) {
            int id = p.memberships.audienceAt(i);
            if (p.memberships.isMemberAt(i) && current.audience(id) == null) {
                Audience old = previous.audience(id);
                out.add(DeltaFactory.next(mpid, p, id, old == null ? null : old.name(),
                        old == null ? null : old.externalName(), false, Reason.DEFINITION, at, ids));
            }
        }
        ProfileUpdater.prune(p, at, current);
        EvaluationContext context = new EvaluationContext(p, at, current);
        List<Audience> audiences = current.inEvaluationOrder();
        for (int i = 0; i < audiences.size(); i++) {
            Audience a = audiences.get(i);
            if (!changed.contains(a.id())) {
                // Unchanged, with nothing it refers to changed: its membership at T stands.
                continue;
            }
            boolean member = a.enabled() && a.criteria().test(context);
            context.decide(i, member);
            if (member != p.isMember(a.id())) {
                out.add(DeltaFactory.next(mpid, p, a, member, Reason.DEFINITION, at, ids));
            }
        }
        return out;
    }
}
