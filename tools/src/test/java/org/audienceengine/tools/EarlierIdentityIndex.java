package org.audienceengine.tools;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.OperatorTransformation;
import org.apache.flink.state.api.SavepointWriter;
import org.apache.flink.state.api.functions.KeyedStateBootstrapFunction;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import org.audienceengine.erasure.IdentityIndexFunction;
import org.audienceengine.job.AudienceEngineJob;
import org.audienceengine.tools.state.SavepointState;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Rewrites a savepoint's identity index in the layout of earlier releases (the mpid and the
 * batch time in two states, "mpid" and "time"), holding one identity: what a savepoint taken
 * before the index kept one entry per identity looks like to the state tools.
 */
final class EarlierIdentityIndex {
    private static final OperatorIdentifier INDEX = OperatorIdentifier.forUid(AudienceEngineJob.IDENTITY_INDEX_UID);
    private static final long LIFETIME_MS = Duration.ofDays(90).toMillis();

    private EarlierIdentityIndex() {}

    static Path rewrite(Path savepoint, Path out, String identityKey, long mpid, long time) throws Exception {
        StreamExecutionEnvironment env = SavepointState.open(savepoint, 1).writingEnvironment();
        var entries = env.fromData(Types.TUPLE(Types.STRING, Types.LONG, Types.LONG), Tuple3.of(identityKey, mpid, time));
        var index = OperatorTransformation.bootstrapWith(entries)
                .keyBy(e -> e.f0, Types.STRING)
                .transform(new Writer());
        SavepointWriter.fromExistingSavepoint(env, savepoint.toUri().toString(), new EmbeddedRocksDBStateBackend())
                .removeOperator(INDEX)
                .withOperator(INDEX, index)
                .write(out.toUri().toString());
        env.execute("identity index in the earlier layout");
        return out;
    }

    private static final class Writer extends KeyedStateBootstrapFunction<String, Tuple3<String, Long, Long>> {
        private static final long serialVersionUID = 1L;
        private transient ValueState<Long> mpid;
        private transient ValueState<Long> time;

        @Override
        public void open(OpenContext context) {
            mpid = getRuntimeContext().getState(IdentityIndexFunction.legacyMpidDescriptor(LIFETIME_MS));
            time = getRuntimeContext().getState(IdentityIndexFunction.legacyTimeDescriptor(LIFETIME_MS));
        }

        @Override
        public void processElement(Tuple3<String, Long, Long> entry, Context context) throws Exception {
            mpid.update(entry.f1);
            time.update(entry.f2);
        }
    }
}
