package org.audienceengine.delivery;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The metrics of one connection in one delivery instance (group {@code connection}, label the
 * connection id), registered when the operator opens, and the accumulators that bounded runs
 * report in their summary. Labels carry connection ids only, never identities or secrets.
 */
final class DeliveryMetrics {
    static final String[] SUMMARY = {"delivered", "requests", "retries", "dead_lettered", "held", "faulted"};

    private final Counter requests;
    private final Counter delivered;
    private final Counter retries;
    private final Counter deadLettered;
    final Counter calls2xx;
    final Counter calls4xx;
    final Counter calls5xx;
    final Counter callsNoResponse;
    final Histogram latencyMs;
    private final RuntimeContext context;
    private final String id;

    DeliveryMetrics(MetricGroup operatorGroup, RuntimeContext context, ConnectionLane lane) {
        this.context = context;
        this.id = lane.id;
        MetricGroup g = connectionGroup(operatorGroup, lane.id);
        requests = g.counter("requests");
        delivered = g.counter("delivered");
        retries = g.counter("retries");
        deadLettered = g.counter("deadLettered");
        calls2xx = g.counter("calls2xx");
        calls4xx = g.counter("calls4xx");
        calls5xx = g.counter("calls5xx");
        callsNoResponse = g.counter("callsNoResponse");
        latencyMs = g.histogram("latencyMs", new DescriptiveStatisticsHistogram(1_000));
        g.gauge("faulted", (Gauge<Integer>) () -> lane.faulted ? 1 : 0);
        g.gauge("heldMembers", (Gauge<Long>) () -> lane.pendingMembers);
        g.gauge("inFlight", (Gauge<Integer>) () -> lane.inFlight);
        for (String name : SUMMARY) {
            context.addAccumulator(accumulator(id, name), new LongCounter());
        }
    }

    static MetricGroup connectionGroup(MetricGroup operatorGroup, String connectionId) {
        return operatorGroup.addGroup("connection", connectionId);
    }

    /** The accumulator of one summary count of a connection. */
    static String accumulator(String connectionId, String name) {
        return "delivery." + connectionId + "." + name;
    }

    void count(String name, long n) {
        context.<Long, Long>getAccumulator(accumulator(id, name)).add(n);
    }

    /** A request sent (a retry is another request). */
    void requested() {
        requests.inc();
        count("requests", 1);
    }

    /** Changes the partner acknowledged. */
    void delivered(int changes) {
        delivered.inc(changes);
        count("delivered", changes);
    }

    void retried() {
        retries.inc();
        count("retries", 1);
    }

    void deadLettered() {
        deadLettered.inc();
        count("dead_lettered", 1);
    }

    void call(int status, long latency) {
        latencyMs.update(latency);
        if (status == 0) {
            callsNoResponse.inc();
        } else if (status < 300) {
            calls2xx.inc();
        } else if (status < 500) {
            calls4xx.inc();
        } else {
            calls5xx.inc();
        }
    }
}
