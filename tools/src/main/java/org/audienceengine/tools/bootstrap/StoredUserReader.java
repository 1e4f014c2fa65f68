package org.audienceengine.tools.bootstrap;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.util.Collector;

import org.audienceengine.ingest.IngestedBatch;
import org.audienceengine.profile.UserAudiencesOperator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** Reads a user's whole keyed state: profile, pending batches and timers. */
final class StoredUserReader extends KeyedStateReaderFunction<Long, StoredUser> {
    private static final long serialVersionUID = 1L;

    private transient ValueState<byte[]> profile;
    private transient MapState<Long, IngestedBatch[]> pending;

    @Override
    public void open(OpenContext context) {
        profile = getRuntimeContext().getState(UserAudiencesOperator.profileDescriptor());
        pending = getRuntimeContext().getMapState(UserAudiencesOperator.pendingDescriptor());
    }

    @Override
    public void readKey(Long mpid, Context context, Collector<StoredUser> out) throws Exception {
        StoredUser u = new StoredUser();
        u.mpid = mpid;
        u.profile = profile.value();
        List<IngestedBatch> waiting = new ArrayList<>();
        for (IngestedBatch[] batches : pending.values()) {
            waiting.addAll(Arrays.asList(batches));
        }
        u.pending = waiting.toArray(new IngestedBatch[0]);
        u.eventTimers = array(context.registeredEventTimeTimers());
        u.processingTimers = array(context.registeredProcessingTimeTimers());
        out.collect(u);
    }

    private static long[] array(Set<Long> times) {
        return times.stream().mapToLong(Long::longValue).sorted().toArray();
    }
}
