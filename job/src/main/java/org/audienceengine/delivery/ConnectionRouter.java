package org.audienceengine.delivery;

import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

import org.audienceengine.connectors.delivery.AudienceChange;
import org.audienceengine.deltas.MembershipDelta;

import java.util.Map;
import java.util.Set;

/**
 * Fans a delta out to the partner connections that take it, as the connectors' own request
 * type. Kafka and file connections take raw deltas and are not routed here.
 */
public final class ConnectionRouter implements FlatMapFunction<MembershipDelta, AudienceChange> {
    private static final long serialVersionUID = 1L;
    static final Set<String> PARTNER_OUTPUTS = Set.of("mailchimp", "braze", "webhook");

    private final Connections connections;

    public ConnectionRouter(Connections connections) {
        this.connections = connections;
    }

    @Override
    public void flatMap(MembershipDelta delta, Collector<AudienceChange> out) {
        for (Connections.Route route : connections.routesFor(delta)) {
            if (PARTNER_OUTPUTS.contains(route.output())) {
                out.collect(change(route.id(), delta));
            }
        }
    }

    static AudienceChange change(String connectionId, MembershipDelta d) {
        AudienceChange c = AudienceChange.of(connectionId, d.deltaId, d.audienceId, d.mpid, d.action, d.seq);
        c.audienceName = d.audienceName;
        c.externalName = d.externalName;
        c.profileCreatedAt = d.profileCreatedAt;
        c.effectiveAt = d.effectiveAt;
        c.environment = d.environment;
        if (d.identities != null) {
            for (Map.Entry<String, String> id : d.identities.entrySet()) {
                c = c.withIdentity(id.getKey(), id.getValue());
            }
        }
        return c;
    }

    /**
     * Which parallel instance delivers a change: all changes that a partner orders among
     * themselves (one list member, one Braze user, one webhook user) must meet in one instance,
     * where the delivery engine sends them one after another.
     */
    public static String partitionKey(String output, AudienceChange c) {
        String identity = switch (output) {
            case "mailchimp" -> {
                String email = c.identity("email");
                yield email == null ? "" : email.trim().toLowerCase(java.util.Locale.ROOT);
            }
            case "braze" -> String.valueOf(c.identity("customer_id"));
            default -> Long.toString(c.mpid);
        };
        return c.connectionId + "|" + identity;
    }
}
