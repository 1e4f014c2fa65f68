package org.audienceengine.delivery;

import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;

import org.audienceengine.connectors.delivery.AudienceChange;
import org.audienceengine.deltas.MembershipDelta;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Wires partner delivery onto the deltas: route each delta to its connections, partition so that
 * what a partner orders meets in one instance, and call the partners through async I/O. Returns
 * the delivery dead letters (JSON lines) for the caller to sink.
 */
public final class DeliveryGraph {
    public static final String ROUTER_UID = "delivery-router";
    public static final String CALLS_UID = "partner-calls";
    /** Changes in flight (or held) per instance before the operator pushes back. */
    static final int CAPACITY = 10_000;
    /** Far beyond any retry budget (max_retry_ms): held changes wait for a resume. */
    static final long TIMEOUT_DAYS = 30;

    private DeliveryGraph() {}

    /**
     * @param control connection control messages (JSON text), or null for none
     */
    public static DataStream<String> attach(DataStream<MembershipDelta> deltas, DataStream<String> control, String connectionsJson) {
        Connections connections = Connections.parse(connectionsJson);
        Map<String, String> outputs = new HashMap<>();
        connections.routes().forEach(r -> outputs.put(r.id(), r.output()));
        DataStream<AudienceChange> changes = deltas
                .flatMap(new ConnectionRouter(connections))
                .uid(ROUTER_UID)
                .name("Delivery: route deltas to connections")
                .keyBy(c -> ConnectionRouter.partitionKey(outputs.getOrDefault(c.connectionId, ""), c));
        if (control != null) {
            changes = changes.union(control
                    .flatMap(new ControlMessages())
                    .uid("connection-control")
                    .name("Delivery: connection control")
                    .broadcast());
        }
        // Ordered: the operator snapshots its in-flight changes in arrival order, so after a restore
        // they are submitted again in the order each key needs (the unordered queue keeps no order).
        return AsyncDataStream.orderedWait(changes, new PartnerCallFunction(connectionsJson),
                        TimeUnit.DAYS.toMillis(TIMEOUT_DAYS), TimeUnit.MILLISECONDS, CAPACITY)
                .uid(CALLS_UID)
                .name("Delivery: partner calls");
    }
}
