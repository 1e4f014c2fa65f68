package org.audienceengine.delivery;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import org.audienceengine.connectors.delivery.AudienceChange;
import org.audienceengine.deltas.MembershipDelta;
import org.audienceengine.deltas.Reason;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Routes committed deltas, keyed by mpid, to the connections that take them: partner changes
 * keyed by member on the main output, raw deltas for {@code kafka} and {@code file} connections
 * on one side output each.
 *
 * <p>An identity change reaches a connection only when it changes what that connection keys or
 * sends (deltas.md): the engine emits {@code remove} (old identities) then {@code add} (new) for
 * every connection of the audience, so the remove is held here, in keyed state, until its add
 * arrives, and the pair is passed on or dropped per connection. Both come from one evaluation and
 * one transaction, so the add always follows; keyed state keeps the held remove across a
 * checkpoint that falls between them.
 */
public final class DeltaRouter extends KeyedProcessFunction<Long, MembershipDelta, AudienceChange> {
    private static final long serialVersionUID = 1L;
    private static final Map<String, OutputTag<MembershipDelta>> TAGS = new java.util.concurrent.ConcurrentHashMap<>();

    private final Connections connections;
    private transient MapState<Integer, MembershipDelta> heldRemoves;
    private transient Map<String, Counter> unmatched;

    public DeltaRouter(Connections connections) {
        this.connections = connections;
    }

    /** The side output of the raw deltas of a {@code kafka} or {@code file} connection. */
    public static OutputTag<MembershipDelta> rawDeltas(String connectionId) {
        return TAGS.computeIfAbsent(connectionId,
                id -> new OutputTag<>("raw-deltas-" + id, TypeInformation.of(MembershipDelta.class)));
    }

    @Override
    public void open(OpenContext context) {
        heldRemoves = getRuntimeContext().getMapState(new MapStateDescriptor<>("held-identity-removes",
                Types.INT, TypeInformation.of(MembershipDelta.class)));
        unmatched = new HashMap<>();
        for (Connections.Route r : connections.routes()) {
            if (ConnectionLanes.PARTNER_OUTPUTS.contains(r.output())) {
                unmatched.put(r.id(), DeliveryMetrics.connectionGroup(getRuntimeContext().getMetricGroup(), r.id())
                        .counter("unmatched"));
                getRuntimeContext().addAccumulator(DeliveryMetrics.accumulator(r.id(), "unmatched"),
                        new org.apache.flink.api.common.accumulators.LongCounter());
            }
        }
    }

    @Override
    public void processElement(MembershipDelta d, Context ctx, Collector<AudienceChange> out) throws Exception {
        boolean identityChange = Reason.IDENTITY_CHANGE.equals(d.reason);
        if (identityChange && MembershipDelta.REMOVE.equals(d.action)) {
            heldRemoves.put(d.audienceId, d);
            return;
        }
        MembershipDelta before = identityChange ? heldRemoves.get(d.audienceId) : null;
        if (before != null) {
            heldRemoves.remove(d.audienceId);
        }
        for (Connections.Route route : connections.routesFor(d)) {
            if (!ConnectionLanes.PARTNER_OUTPUTS.contains(route.output())) {
                if (before != null) {
                    ctx.output(rawDeltas(route.id()), before);
                }
                ctx.output(rawDeltas(route.id()), d);
                continue;
            }
            AudienceChange after = change(route.id(), d);
            if (before == null) {
                emit(route, after, out);
                continue;
            }
            AudienceChange old = change(route.id(), before);
            if (MemberKeys.changed(route.output(), old, after)) {
                emit(route, old, out);
                emit(route, after, out);
            }
        }
    }

    private void emit(Connections.Route route, AudienceChange c, Collector<AudienceChange> out) {
        String member = MemberKeys.member(route.output(), c);
        if (member == null) {
            unmatched.get(route.id()).inc();
            getRuntimeContext().getAccumulator(DeliveryMetrics.accumulator(route.id(), "unmatched")).add(1L);
            return;
        }
        c.memberKey = route.id() + "|" + member;
        out.collect(c);
    }

    static AudienceChange change(String connectionId, MembershipDelta d) {
        AudienceChange c = AudienceChange.of(connectionId, d.deltaId, d.audienceId, d.mpid, d.action, d.seq);
        c.audienceName = d.audienceName;
        c.externalName = d.externalName;
        c.profileCreatedAt = d.profileCreatedAt;
        c.effectiveAt = d.effectiveAt;
        c.environment = d.environment;
        if (d.identities != null) {
            // Sorted, so that two changes with the same identities have equal arrays.
            new TreeMap<>(d.identities).forEach(c::withIdentity);
        }
        return c;
    }
}
