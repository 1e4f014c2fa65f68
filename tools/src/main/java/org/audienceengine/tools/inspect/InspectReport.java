package org.audienceengine.tools.inspect;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.audienceengine.evaluation.Comparison;
import org.audienceengine.evaluation.Explainer;
import org.audienceengine.evaluation.Explanation;
import org.audienceengine.profile.UserProfile;
import org.audienceengine.tools.state.SavepointState;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** What {@code inspect} prints, as text for people or JSON for machines. */
final class InspectReport {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final long mpid;
    private final UserProfile p;
    private final int pending;
    private final long at;
    private final SavepointState state;
    private final List<Explainer.AudienceVerdict> verdicts;

    InspectReport(long mpid, UserProfile p, int pending, long at, SavepointState state, List<Explainer.AudienceVerdict> verdicts) {
        this.mpid = mpid;
        this.p = p;
        this.pending = pending;
        this.at = at;
        this.state = state;
        this.verdicts = verdicts;
    }

    static String notFoundJson(String asked) {
        return MAPPER.createObjectNode().put("user", asked).put("status", "not_found").toString() + "\n";
    }

    String text() {
        StringBuilder out = new StringBuilder();
        out.append("mpid ").append(mpid).append("  (").append(state.path()).append(")\n");
        line(out, "created", time(p.createdAt) + "   last batch " + time(p.lastBatchAt)
                + "   first seen " + (p.firstSeenAt == Long.MAX_VALUE ? "-" : time(p.firstSeenAt)));
        line(out, "environment", p.environment);
        line(out, "identities", pairs(p.identities));
        line(out, "device", pairs(p.deviceInfo));
        line(out, "attributes", p.attributes.entrySet().stream()
                .map(e -> e.getKey() + "=" + Comparison.show(e.getValue())).collect(Collectors.joining(", ")));
        line(out, "consent", p.consent.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue().consented() + " at " + time(e.getValue().timestamp()))
                .collect(Collectors.joining(", ")));
        line(out, "location", p.hasLocation ? p.latitude + ", " + p.longitude + " at " + time(p.locationAt) : "-");
        line(out, "next timer", p.timerAt == Long.MIN_VALUE ? "-" : time(p.timerAt));
        if (pending > 0) {
            line(out, "waiting", pending + " batch(es) for event time to reach them");
        }
        out.append("evaluated at ").append(time(at)).append(state.eventTime() ? " (event time the job had reached)" : "")
                .append("\n");
        for (Explainer.AudienceVerdict v : verdicts) {
            int id = v.audience().id();
            out.append("\naudience ").append(id).append(" \"").append(v.audience().name()).append("\"")
                    .append(v.audience().enabled() ? "" : " (disabled)").append(": ")
                    .append(p.isMember(id) ? "member" : "not a member");
            if (p.memberships.has(id)) {
                long since = p.memberships.since(id);
                out.append(" (seq ").append(p.memberships.seq(id))
                        .append(since == UserProfile.UNKNOWN ? "" : ", since " + time(since)).append(")");
            }
            if (v.verdict() != p.isMember(id)) {
                out.append("; at ").append(time(at)).append(" the criteria say ").append(v.verdict() ? "member" : "not a member");
            }
            out.append('\n');
            tree(out, v.criteria(), "  ");
            if (v.next() != null) {
                out.append("  next change: ").append(time(v.next().at())).append(" (")
                        .append(String.join("; ", v.next().because())).append(")\n");
            }
        }
        return out.toString();
    }

    private static void tree(StringBuilder out, Explanation e, String indent) {
        out.append(indent).append(e.subject());
        if (e.value() != null && e.parts().isEmpty()) {
            out.append(" = ").append(e.value());
        } else if (e.parts().isEmpty()) {
            out.append(" (none)");
        }
        out.append(e.test().isEmpty() ? "" : " " + e.test()).append(e.verdict() ? " ✓" : " ✗").append('\n');
        for (Explanation part : e.parts()) {
            tree(out, part, indent + "  ");
        }
    }

    String json() {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("status", "found").put("mpid", mpid).put("savepoint", state.path().toString()).put("evaluated_at", at);
        ObjectNode profile = root.putObject("profile");
        profile.put("created_at", p.createdAt).put("last_batch_at", p.lastBatchAt)
                .put("first_seen_at", p.firstSeenAt == Long.MAX_VALUE ? null : p.firstSeenAt).put("environment", p.environment);
        profile.set("identities", MAPPER.valueToTree(p.identities));
        profile.set("device_info", MAPPER.valueToTree(p.deviceInfo));
        profile.set("user_attributes", MAPPER.valueToTree(p.attributes));
        ObjectNode consent = profile.putObject("consent");
        p.consent.forEach((k, c) -> consent.putObject(k).put("consented", c.consented()).put("timestamp", c.timestamp()));
        if (p.hasLocation) {
            profile.putObject("location").put("latitude", p.latitude).put("longitude", p.longitude).put("at", p.locationAt);
        }
        profile.put("timer_at", p.timerAt == Long.MIN_VALUE ? null : p.timerAt).put("pending_batches", pending);
        ArrayNode audiences = root.putArray("audiences");
        for (Explainer.AudienceVerdict v : verdicts) {
            int id = v.audience().id();
            ObjectNode a = audiences.addObject();
            a.put("id", id).put("name", v.audience().name()).put("enabled", v.audience().enabled())
                    .put("member", p.isMember(id)).put("seq", p.memberships.seq(id))
                    .put("since", sinceOrNull(p, id)).put("verdict", v.verdict());
            a.set("criteria", node(v.criteria()));
            if (v.next() != null) {
                a.putObject("next_change").put("at", v.next().at()).put("profile_expiry", v.next().profileExpiry())
                        .set("because", MAPPER.valueToTree(v.next().because()));
            }
        }
        return root.toPrettyString() + "\n";
    }

    private static ObjectNode node(Explanation e) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("kind", e.kind()).put("text", e.text()).put("value", e.value()).put("verdict", e.verdict());
        if (!e.parts().isEmpty()) {
            ArrayNode parts = n.putArray("parts");
            e.parts().forEach(part -> parts.add(node(part)));
        }
        return n;
    }

    private static void line(StringBuilder out, String label, String value) {
        out.append(String.format("  %-12s %s%n", label, value == null || value.isEmpty() ? "-" : value));
    }

    private static String pairs(Map<String, String> map) {
        return map.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
    }

    private static Long sinceOrNull(UserProfile p, int audience) {
        long since = p.memberships.since(audience);
        return since == UserProfile.UNKNOWN ? null : since;
    }

    private static String time(long ms) {
        return Instant.ofEpochMilli(ms).toString();
    }
}
