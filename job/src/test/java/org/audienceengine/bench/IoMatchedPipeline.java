package org.audienceengine.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.audienceengine.config.EngineConfig;
import org.audienceengine.erasure.IdentityKeys;
import org.audienceengine.ingest.RawRecord;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The bare pipeline ({@link BarePipeline}) with the engine's own I/O: what the contracts make the
 * engine do for a batch beside evaluating audiences, so that the gap left between it and the
 * engine is evaluation alone. Per batch: the Jackson parse; a link per user identity to an index
 * keyed by the identity's hash, one value read and a write when the mpid changed (erasure by
 * identity, deltas.md); per user a value of the engine's mean profile size read and written
 * ({@link #PROFILE_BYTES} at 100 audiences, more with more audiences), and a processing-time
 * timer, armed and moved no more often than the engine does (leaving on time, audiences.md);
 * and as many records to Kafka, exactly once, of the engine's
 * mean delta size as the engine wrote per batch in the run before it.
 */
final class IoMatchedPipeline {
    /** The engine's mean profile value at 100 audiences (bench/RESULTS.md, bytes_per_user_typical). */
    static final int PROFILE_BYTES = 384;
    /** The same at 1,000 audiences. */
    static final int PROFILE_BYTES_1000 = 1_033;
    private static final int HEADER = 9;
    private static final long HOUR = 3_600_000L;
    private static final long DAY = 24 * HOUR;
    private static final OutputTag<Tuple3<String, Long, Long>> LINKS =
            new OutputTag<>("links", Types.TUPLE(Types.STRING, Types.LONG, Types.LONG));

    private IoMatchedPipeline() {}

    /**
     * @param deltasPerBatch the records the engine wrote per batch
     * @param deltaBytes the mean size of each
     * @param profileBytes the engine's mean profile value for the audience set
     */
    static void build(StreamExecutionEnvironment env, EngineConfig config, String outputTopic,
            UnaryOperator<DataStream<RawRecord>> beforeParse, double deltasPerBatch, int deltaBytes, int profileBytes,
            boolean index, boolean timer) {
        SingleOutputStreamOperator<Tuple2<Long, byte[]>> parsed = beforeParse.apply(BarePipeline.batches(env, config, "io-events-source"))
                .process(new Parse(index)).uid("io-parse").name("I/O-matched: parse with Jackson");
        parsed.getSideOutput(LINKS)
                .keyBy(t -> t.f0, Types.STRING)
                .process(new IdentityIndex()).uid("io-index").name("I/O-matched: identity index")
                .sinkTo(new DiscardingSink<>())
                .uid("io-index-sink");
        parsed.keyBy(t -> t.f0, Types.LONG)
                .process(new Profile(deltasPerBatch, deltaBytes, profileBytes, timer)).uid("io-state").name("I/O-matched: profile, timer, deltas")
                .sinkTo(BarePipeline.textSink(config, outputTopic, "-io"))
                .uid("io-sink").name("I/O-matched: to Kafka");
    }

    /** Each batch keyed by its mpid (its bytes travel on, as the engine's parsed batch does), and a link per identity. */
    private static final class Parse extends ProcessFunction<RawRecord, Tuple2<Long, byte[]>> {
        private static final ObjectMapper MAPPER = new ObjectMapper();
        private final boolean index;

        Parse(boolean index) {
            this.index = index;
        }

        @Override
        public void processElement(RawRecord record, Context ctx, Collector<Tuple2<Long, byte[]>> out) throws Exception {
            JsonNode root = MAPPER.readTree(record.payload);
            long mpid = root.path("mpid").asLong();
            long time = root.path("timestamp_unixtime_ms").asLong();
            out.collect(Tuple2.of(mpid, record.payload));
            Iterator<Map.Entry<String, JsonNode>> ids = index ? root.path("user_identities").fields() : Collections.emptyIterator();
            while (ids.hasNext()) {
                Map.Entry<String, JsonNode> id = ids.next();
                if (id.getValue().isTextual()) {
                    ctx.output(LINKS, Tuple3.of(IdentityKeys.of(id.getKey(), id.getValue().textValue()), mpid, time));
                }
            }
        }
    }

    private static final class IdentityIndex extends KeyedProcessFunction<String, Tuple3<String, Long, Long>, Long> {
        private transient ValueState<long[]> entry;

        @Override
        public void open(OpenContext context) {
            entry = getRuntimeContext().getState(
                    new ValueStateDescriptor<>("entry", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        }

        @Override
        public void processElement(Tuple3<String, Long, Long> link, Context ctx, Collector<Long> out) throws Exception {
            long[] current = entry.value();
            if (current == null || current[0] != link.f1) {
                entry.update(new long[] {link.f1, link.f2});
            }
        }
    }

    private static final class Profile extends KeyedProcessFunction<Long, Tuple2<Long, byte[]>, String> {
        private final double deltasPerBatch;
        private final int profileBytes;
        private final String delta;
        private final boolean timer;
        private transient ValueState<byte[]> profile;
        private transient double owed;

        Profile(double deltasPerBatch, int deltaBytes, int profileBytes, boolean timer) {
            this.deltasPerBatch = deltasPerBatch;
            this.profileBytes = profileBytes;
            this.timer = timer;
            char[] text = new char[Math.max(1, deltaBytes)];
            Arrays.fill(text, 'x');
            this.delta = new String(text);
        }

        @Override
        public void open(OpenContext context) {
            profile = getRuntimeContext().getState(
                    new ValueStateDescriptor<>("profile", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        }

        @Override
        public void processElement(Tuple2<Long, byte[]> batch, Context ctx, Collector<String> out) throws Exception {
            byte[] before = profile.value();
            // The armed timer and a batch count, then the batch's bytes.
            ByteBuffer after = ByteBuffer.allocate(profileBytes);
            if (before != null) {
                after.put(before, 0, HEADER);
            }
            after.put(HEADER, batch.f1, 0, Math.min(batch.f1.length, profileBytes - HEADER));
            if (timer) {
                // The engine arms a user's timer at the next window edge and moves it only when
                // a batch changes that edge (on the bench's input: a first arm for each new user,
                // a move in one batch of nine after that). Here it moves when the day changes,
                // which a run never sees: the timer work is the engine's or less.
                long now = ctx.timerService().currentProcessingTime();
                long next = Math.floorDiv(now, DAY) * DAY + DAY + Math.floorMod(batch.f0, HOUR);
                long armed = after.getLong(0);
                if (armed != next) {
                    if (armed != 0) {
                        ctx.timerService().deleteProcessingTimeTimer(armed);
                    }
                    ctx.timerService().registerProcessingTimeTimer(next);
                    after.putLong(0, next);
                }
            }
            after.put(8, (byte) (after.get(8) + 1));
            profile.update(after.array());
            owed += deltasPerBatch;
            for (; owed >= 1; owed--) {
                out.collect(delta);
            }
        }
    }
}
