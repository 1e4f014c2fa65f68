package org.audienceengine.tools.state;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.util.Collector;

import org.audienceengine.erasure.IdentityIndexFunction;

/**
 * The identity index's entry for one identity key (an erased user's entry is gone), in either
 * layout: a savepoint taken soon after a restore from an earlier release may hold both.
 */
final class IdentityIndexReader extends KeyedStateReaderFunction<String, Long> {
    private static final long serialVersionUID = 1L;

    private final String identityKey;
    private transient ValueState<long[]> entry;
    private transient ValueState<Long> legacyMpid;

    IdentityIndexReader(String identityKey) {
        this.identityKey = identityKey;
    }

    @Override
    public void open(OpenContext context) {
        entry = getRuntimeContext().getState(IdentityIndexFunction.entryDescriptor(Long.MAX_VALUE / 4));
        legacyMpid = getRuntimeContext().getState(IdentityIndexFunction.legacyMpidDescriptor(Long.MAX_VALUE / 4));
    }

    @Override
    public void readKey(String key, Context context, Collector<Long> out) throws Exception {
        if (!key.equals(identityKey)) {
            return;
        }
        long[] found = entry.value();
        if (found != null) {
            out.collect(IdentityIndexFunction.mpidOf(found));
        } else if (legacyMpid.value() != null) {
            out.collect(legacyMpid.value());
        }
    }
}
