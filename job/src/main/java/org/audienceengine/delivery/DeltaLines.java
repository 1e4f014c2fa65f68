package org.audienceengine.delivery;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;

import org.audienceengine.deltas.DeltaJson;
import org.audienceengine.deltas.MembershipDelta;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Committed deltas as read back from the deltas topic (or a replay's deltas file). A line that is
 * not a delta (written to the topic by something else) is skipped, logged without its content
 * and counted ({@code unreadableDeltas}); it never stops delivery.
 */
public final class DeltaLines extends RichFlatMapFunction<String, MembershipDelta> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DeltaLines.class);
    private transient Counter unreadable;

    @Override
    public void open(OpenContext context) {
        unreadable = getRuntimeContext().getMetricGroup().counter("unreadableDeltas");
    }

    @Override
    public void flatMap(String line, Collector<MembershipDelta> out) {
        if (line.isBlank()) {
            return;
        }
        MembershipDelta d;
        try {
            d = DeltaJson.fromJson(line);
        } catch (RuntimeException e) {
            d = null;
        }
        if (d == null || d.deltaId == null || d.action == null) {
            unreadable.inc();
            LOG.warn("Skipped a record on the deltas topic that is not a delta ({} characters)", line.length());
            return;
        }
        out.collect(d);
    }
}
