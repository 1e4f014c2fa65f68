package org.audienceengine.tools.state;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.util.Collector;

import org.audienceengine.erasure.IdentityIndexFunction;

/** The identity index's entry for one identity key (an erased user's entry is gone). */
final class IdentityIndexReader extends KeyedStateReaderFunction<String, Long> {
    private static final long serialVersionUID = 1L;

    private final String identityKey;
    private transient ValueState<Long> mpid;

    IdentityIndexReader(String identityKey) {
        this.identityKey = identityKey;
    }

    @Override
    public void open(OpenContext context) {
        mpid = getRuntimeContext().getState(IdentityIndexFunction.mpidDescriptor(Long.MAX_VALUE / 4));
    }

    @Override
    public void readKey(String key, Context context, Collector<Long> out) throws Exception {
        if (key.equals(identityKey) && mpid.value() != null) {
            out.collect(mpid.value());
        }
    }
}
