package org.audienceengine.evaluation;

import org.audienceengine.definitions.Audience;
import org.audienceengine.definitions.AudienceSet;
import org.audienceengine.ingest.DeviceIdentities;
import org.audienceengine.profile.UserProfile;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Why a user is in an audience or not: every audience's criteria evaluated at one time, node by
 * node, with the values read. Verdicts come from each condition's {@code test} and values from
 * the same accessors the tests use; audiences run in the job's evaluation order, so a nested
 * audience sees the verdicts of this evaluation, as in the job.
 */
public final class Explainer {
    /** Edges looked at for an audience's next change. */
    private static final int HORIZON = 256;

    private final AudienceSet set;
    private final long lifetimeMs;

    public Explainer(AudienceSet set, long lifetimeMs) {
        this.set = set;
        this.lifetimeMs = lifetimeMs;
    }

    /** One audience's verdict at a time, its tree, and when and why it next changes. */
    public record AudienceVerdict(Audience audience, boolean verdict, Explanation criteria, Change next) {}

    /**
     * The next instant the verdict flips, with the leaves whose values differ then ("3 → 1");
     * {@code profileExpiry} when it is the profile's deletion for want of batches.
     */
    public record Change(long at, boolean profileExpiry, List<String> because) {}

    /** Every audience of the set at {@code at}, in evaluation order. */
    public List<AudienceVerdict> explain(UserProfile p, long at) {
        List<Explanation> trees = trees(p, at);
        List<Audience> audiences = set.inEvaluationOrder();
        UpcomingEdges edges = new UpcomingEdges(set, p, at, HORIZON);
        List<AudienceVerdict> out = new ArrayList<>();
        List<List<Explanation>> later = new ArrayList<>();
        for (int i = 0; i < audiences.size(); i++) {
            Audience a = audiences.get(i);
            boolean verdict = a.enabled() && trees.get(i).verdict();
            out.add(new AudienceVerdict(a, verdict, trees.get(i), nextChange(p, at, edges, i, verdict, trees.get(i), later)));
        }
        return out;
    }

    /** The criteria trees at {@code at}, by evaluation position. */
    private List<Explanation> trees(UserProfile p, long at) {
        EvaluationContext context = new EvaluationContext(p, at, set);
        List<Explanation> trees = new ArrayList<>();
        List<Audience> audiences = set.inEvaluationOrder();
        for (int i = 0; i < audiences.size(); i++) {
            Audience a = audiences.get(i);
            Explanation tree = explain(a.criteria(), context);
            trees.add(tree);
            context.decide(i, a.enabled() && tree.verdict());
        }
        return trees;
    }

    /** {@code later} caches the trees at each edge (index = edge), computed on first need. */
    private Change nextChange(UserProfile p, long at, UpcomingEdges edges, int position, boolean verdict,
            Explanation now, List<List<Explanation>> later) {
        long expires = p.expiresAt(lifetimeMs);
        Audience a = set.inEvaluationOrder().get(position);
        for (int e = 0; e < edges.count() && edges.instant(e) < expires; e++) {
            if (!edges.affected(e).get(position)) {
                continue;
            }
            while (later.size() <= e) {
                later.add(null);
            }
            if (later.get(e) == null) {
                later.set(e, trees(p, edges.instant(e)));
            }
            Explanation then = later.get(e).get(position);
            if ((a.enabled() && then.verdict()) != verdict) {
                return new Change(edges.instant(e), false, differences(now, then));
            }
        }
        return verdict ? new Change(expires, true, List.of("no batch for the profile lifetime")) : null;
    }

    private static List<String> differences(Explanation before, Explanation after) {
        List<Explanation> was = new ArrayList<>();
        List<Explanation> will = new ArrayList<>();
        before.leaves(was);
        after.leaves(will);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < was.size(); i++) {
            if (!String.valueOf(was.get(i).value()).equals(String.valueOf(will.get(i).value()))) {
                out.add(was.get(i).subject() + ": " + was.get(i).value() + " → " + will.get(i).value());
            }
        }
        return out;
    }

    /** A condition's node, its verdict from its own test. */
    Explanation explain(Condition c, EvaluationContext ctx) {
        boolean verdict = c.test(ctx);
        UserProfile p = ctx.profile;
        if (c instanceof Conditions.All all) {
            return composite("and", "all of", verdict, all.parts(), ctx);
        }
        if (c instanceof Conditions.Any any) {
            return composite("or", "any of", verdict, any.parts(), ctx);
        }
        if (c instanceof Conditions.Not not) {
            return composite("not", "not", verdict, List.of(not.inner()), ctx);
        }
        if (c instanceof Conditions.EventAggregate e) {
            return leaf("event", eventSubject(e), e.comparison().describe(), number(e.value(p.series.get(e.seriesKey()), ctx.at)),
                    verdict);
        }
        if (c instanceof Conditions.UserAttribute u) {
            return leaf("user_attribute", u.name(), u.comparison().describe(), Comparison.show(p.attributes.get(u.name())), verdict);
        }
        if (c instanceof Conditions.Identity i) {
            Object value = (DeviceIdentities.isIdentity(i.type()) ? p.deviceInfo : p.identities).get(i.type());
            return leaf("identity", i.type(), i.comparison().describe(), Comparison.show(value), verdict);
        }
        if (c instanceof Conditions.Device d) {
            return leaf("device", d.field(), d.comparison().describe(), Comparison.show(p.deviceInfo.get(d.field())), verdict);
        }
        if (c instanceof Conditions.Consent k) {
            UserProfile.Consent latest = p.consent.get(k.purpose());
            return leaf("consent", "consent " + k.purpose(), "= " + k.consented(),
                    latest == null ? null : latest.consented() + " at " + Instant.ofEpochMilli(latest.timestamp()), verdict);
        }
        if (c instanceof Conditions.FirstSeen f) {
            return leaf("first_seen", "first seen", "within " + window(f.window().millis()),
                    p.firstSeenAt == Long.MAX_VALUE ? null : Instant.ofEpochMilli(p.firstSeenAt).toString(), verdict);
        }
        if (c instanceof Conditions.Near n) {
            String distance = p.hasLocation ? String.format(Locale.ROOT, "%.3f km",
                    Conditions.Near.haversineKm(n.latitude(), n.longitude(), p.latitude, p.longitude)) : null;
            return leaf("location", String.format(Locale.ROOT, "distance from (%s, %s)", n.latitude(), n.longitude()),
                    String.format(Locale.ROOT, "≤ %s km", n.radiusKm()), distance, verdict);
        }
        if (c instanceof Conditions.InAudience in) {
            Audience nested = set.audience(in.audienceId());
            return leaf("audience", "audience " + in.audienceId() + (nested == null ? " (not defined)" : " (" + nested.name() + ")"),
                    "is member", verdict ? "member" : "not a member", verdict);
        }
        return leaf(c.getClass().getSimpleName(), c.toString(), "", null, verdict);
    }

    private Explanation composite(String kind, String text, boolean verdict, List<Condition> parts, EvaluationContext ctx) {
        List<Explanation> explained = new ArrayList<>();
        for (Condition part : parts) {
            explained.add(explain(part, ctx));
        }
        return new Explanation(kind, text, "", null, verdict, List.copyOf(explained));
    }

    private static Explanation leaf(String kind, String subject, String test, String value, boolean verdict) {
        return new Explanation(kind, subject, test, value, verdict, List.of());
    }

    private String eventSubject(Conditions.EventAggregate e) {
        EventSeries s = set.series(e.seriesKey());
        String what = s == null ? "series " + e.seriesKey() : s.describe();
        return e.aggregate().name().toLowerCase(Locale.ROOT) + "(" + what + " within " + window(e.window().millis()) + ")";
    }

    private static String number(BigDecimal value) {
        return value == null ? null : value.stripTrailingZeros().toPlainString();
    }

    /** A window as audiences.md writes it: 30d, 2h, 15m. */
    public static String window(long millis) {
        if (millis % Window.DAY == 0) {
            return millis / Window.DAY + "d";
        }
        return millis % Window.HOUR == 0 ? millis / Window.HOUR + "h" : millis / Window.MINUTE + "m";
    }
}
