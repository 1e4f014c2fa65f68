package org.audienceengine.tools.state;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.util.Collector;

import org.audienceengine.ingest.IngestedBatch;
import org.audienceengine.profile.ProfileCodec;
import org.audienceengine.profile.UserAudiencesOperator;
import org.audienceengine.profile.UserProfile;

/**
 * Reads the profiles operator's keyed state user by user, with the job's own state descriptors
 * and codec, and hands each decoded profile to {@link #visit}; users without a profile (erased,
 * expired) are skipped, as the job would not know them either.
 */
public abstract class UserReader<OUT> extends KeyedStateReaderFunction<Long, OUT> {
    private static final long serialVersionUID = 1L;

    private transient ValueState<byte[]> profile;
    private transient MapState<Long, IngestedBatch[]> pending;

    @Override
    public void open(OpenContext context) throws Exception {
        profile = getRuntimeContext().getState(UserAudiencesOperator.profileDescriptor());
        pending = getRuntimeContext().getMapState(UserAudiencesOperator.pendingDescriptor());
    }

    @Override
    public void readKey(Long mpid, Context context, Collector<OUT> out) throws Exception {
        if (!wants(mpid)) {
            return;
        }
        byte[] bytes = profile.value();
        if (bytes != null) {
            visit(mpid, bytes, ProfileCodec.decode(bytes), out);
        }
    }

    /** Whether to read this user at all (decoding is most of the cost). */
    protected boolean wants(long mpid) {
        return true;
    }

    protected abstract void visit(long mpid, byte[] stored, UserProfile p, Collector<OUT> out) throws Exception;

    /** The batches this user has waiting for event time to reach them. */
    protected int pendingBatches() throws Exception {
        int n = 0;
        for (IngestedBatch[] waiting : pending.values()) {
            n += waiting.length;
        }
        return n;
    }
}
