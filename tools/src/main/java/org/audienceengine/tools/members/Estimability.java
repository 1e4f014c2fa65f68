package org.audienceengine.tools.members;

import org.audienceengine.definitions.Audience;
import org.audienceengine.definitions.AudienceSet;
import org.audienceengine.evaluation.Condition;
import org.audienceengine.evaluation.Conditions;
import org.audienceengine.evaluation.EventSeries;
import org.audienceengine.evaluation.Explainer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which audiences of a proposed document the state can size, and why not the others. Profile
 * criteria always can: the profile holds them. An event criterion can when a live audience keeps
 * its series (same filter, attribute and bucket: the same series key) for at least its window;
 * otherwise the events it counts are not in state. A nested audience can when what it refers to can.
 */
final class Estimability {
    private Estimability() {}

    /** Audience id → why it cannot be estimated, for the audiences that cannot. */
    static Map<Integer, String> reasons(AudienceSet live, AudienceSet proposed) {
        Map<Integer, String> reasons = new LinkedHashMap<>();
        for (Audience a : proposed.inEvaluationOrder()) {
            String why = why(a.criteria(), live, proposed, reasons);
            if (why != null) {
                reasons.put(a.id(), why);
            }
        }
        return reasons;
    }

    private static String why(Condition c, AudienceSet live, AudienceSet proposed, Map<Integer, String> known) {
        if (c instanceof Conditions.All all) {
            return first(all.parts(), live, proposed, known);
        }
        if (c instanceof Conditions.Any any) {
            return first(any.parts(), live, proposed, known);
        }
        if (c instanceof Conditions.Not not) {
            return why(not.inner(), live, proposed, known);
        }
        if (c instanceof Conditions.EventAggregate e) {
            EventSeries wanted = proposed.series(e.seriesKey());
            EventSeries kept = live.series(e.seriesKey());
            String what = wanted.describe() + " within " + Explainer.window(e.window().millis());
            if (kept == null) {
                return "reads " + what + ", which no live audience keeps: those events are not in state"
                        + " (bootstrap gives it its history)";
            }
            if (kept.retentionBuckets() < e.window().buckets()) {
                return "reads " + what + ", but the live audiences keep only "
                        + Explainer.window(kept.retentionBuckets() * kept.bucketMillis()) + " of those events";
            }
            return null;
        }
        if (c instanceof Conditions.InAudience in && known.containsKey(in.audienceId())) {
            return "refers to audience " + in.audienceId() + ", which cannot be estimated";
        }
        return null;
    }

    private static String first(java.util.List<Condition> parts, AudienceSet live, AudienceSet proposed, Map<Integer, String> known) {
        for (Condition part : parts) {
            String why = why(part, live, proposed, known);
            if (why != null) {
                return why;
            }
        }
        return null;
    }
}
