package org.audienceengine.delivery;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

import org.audienceengine.connectors.delivery.AudienceChange;
import org.audienceengine.deltas.MembershipDelta;
import org.audienceengine.job.NoRecords;


/**
 * Wires delivery onto committed deltas: route each delta to its connections (keyed by mpid),
 * then deliver per partner member (keyed by connection and member), with control messages
 * broadcast to every delivery instance; {@code kafka} and {@code file} connections get the raw
 * deltas. Returns the delivery dead letters (JSON lines) for the caller to sink.
 */
public final class DeliveryGraph {
    public static final String PARSE_UID = "delivery-committed-deltas";
    public static final String ROUTER_UID = "delivery-router";
    public static final String CALLS_UID = "partner-delivery";
    public static final String CONTROL_UID = "connection-control";

    private DeliveryGraph() {}

    /**
     * @param committedDeltas deltas as JSON lines, committed ones only (read_committed, or a
     *     replay's final deltas file)
     * @param control connection control messages (JSON text), or null for none
     */
    public static DataStream<String> attach(DataStream<String> committedDeltas, DataStream<String> control,
            String connectionsJson, RawDeltaOutputs.Settings raw) {
        Connections connections = Connections.parse(connectionsJson);
        DataStream<MembershipDelta> deltas = committedDeltas
                .flatMap(new DeltaLines())
                .uid(PARSE_UID)
                .name("Delivery: read committed deltas");
        SingleOutputStreamOperator<AudienceChange> changes = deltas
                .keyBy(d -> d.mpid, Types.LONG)
                .process(new DeltaRouter(connections))
                .uid(ROUTER_UID)
                .name("Delivery: route deltas to connections");
        for (Connections.Route r : connections.routes()) {
            if (r.enabled() && !ConnectionLanes.PARTNER_OUTPUTS.contains(r.output())) {
                RawDeltaOutputs.attach(r.id(), r.output(), r.settings(), changes.getSideOutput(DeltaRouter.rawDeltas(r.id())), raw);
            }
        }
        DataStream<String> controls = control != null
                ? control
                : NoRecords.text(committedDeltas.getExecutionEnvironment(), "connection-control-none", "Connection control");
        return changes
                .keyBy(c -> c.memberKey, Types.STRING)
                .connect(controls.broadcast())
                .transform("Delivery: partner calls", Types.STRING, new PartnerDeliveryOperatorFactory(connectionsJson))
                .uid(CALLS_UID);
    }
}
