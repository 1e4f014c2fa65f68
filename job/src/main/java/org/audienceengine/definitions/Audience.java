package org.audienceengine.definitions;

import org.audienceengine.evaluation.Condition;

import java.io.Serializable;

/** One compiled audience definition. */
public record Audience(
        int id, String name, String externalName, boolean enabled, Condition criteria, boolean nested)
        implements Serializable {

    /** The ids of the audiences this one's criteria refer to. */
    public java.util.Set<Integer> referencedAudiences() {
        java.util.Set<Integer> ids = new java.util.TreeSet<>();
        collect(criteria, ids);
        return ids;
    }

    private static void collect(Condition c, java.util.Set<Integer> ids) {
        if (c instanceof org.audienceengine.evaluation.Conditions.InAudience ref) {
            ids.add(ref.audienceId());
        } else if (c instanceof org.audienceengine.evaluation.Conditions.All all) {
            all.parts().forEach(part -> collect(part, ids));
        } else if (c instanceof org.audienceengine.evaluation.Conditions.Any any) {
            any.parts().forEach(part -> collect(part, ids));
        } else if (c instanceof org.audienceengine.evaluation.Conditions.Not not) {
            collect(not.inner(), ids);
        }
    }
}
