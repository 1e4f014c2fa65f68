package org.audienceengine.profile;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import org.audienceengine.config.EngineSettings;
import org.audienceengine.config.TimeMode;
import org.audienceengine.definitions.Definitions;
import org.audienceengine.deltas.MembershipDelta;
import org.audienceengine.deltas.Reason;
import org.audienceengine.evaluation.ProfileEvaluator;
import org.audienceengine.ingest.Batch;
import org.audienceengine.ingest.BatchParser;
import org.audienceengine.ingest.DeadLetter;
import org.audienceengine.ingest.IngestFunction;
import org.audienceengine.ingest.IngestedBatch;
import org.audienceengine.ingest.RawRecord;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The keyed heart of the engine: per user one profile value in state, one expiry timer, and the
 * evaluation of every audience when a batch arrives or a window edge passes.
 *
 * <p>In event time (replay), batches wait in {@code pending} until event time reaches their batch
 * time, so that each user's batches are applied in time order (ties in input order) and expiry
 * instants in between are evaluated first, whatever order the input had.
 */
public final class UserAudiencesFunction extends KeyedProcessFunction<Long, IngestedBatch, MembershipDelta> {
    /** Job accumulators that bounded runs report. */
    public static final String APPLIED_ACCUMULATOR = "batches-applied";
    public static final String AFTER_UNTIL_ACCUMULATOR = "batches-after-until";
    public static final String DUPLICATES_ACCUMULATOR = "batches-duplicate";
    private static final long NO_TIMER = Long.MIN_VALUE;
    private static final TypeInformation<IngestedBatch[]> PENDING_TYPE =
            Types.OBJECT_ARRAY(TypeInformation.of(IngestedBatch.class));

    private final EngineSettings settings;
    private transient ProfileEvaluator evaluator;
    private transient ValueState<byte[]> profileState;
    private transient MapState<Long, IngestedBatch[]> pending;
    private transient Counter batchesApplied;
    private transient Counter deltasEmitted;
    private transient LongCounter appliedTotal;
    private transient LongCounter afterUntilTotal;
    private transient LongCounter duplicatesTotal;

    public UserAudiencesFunction(EngineSettings settings) {
        this.settings = settings;
    }

    public static ValueStateDescriptor<byte[]> profileDescriptor() {
        return new ValueStateDescriptor<>("profile", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
    }

    public static MapStateDescriptor<Long, IngestedBatch[]> pendingDescriptor() {
        return new MapStateDescriptor<>("pending-batches", Types.LONG, PENDING_TYPE);
    }

    @Override
    public void open(OpenContext context) {
        evaluator = new ProfileEvaluator(
                Definitions.parseValid(settings.definitionsJson()),
                settings.profileLifetimeMs(),
                settings.timeMode() == TimeMode.PROCESSING);
        profileState = getRuntimeContext().getState(profileDescriptor());
        pending = getRuntimeContext().getMapState(pendingDescriptor());
        batchesApplied = getRuntimeContext().getMetricGroup().counter("batchesApplied");
        deltasEmitted = getRuntimeContext().getMetricGroup().counter("deltasEmitted");
        appliedTotal = new LongCounter();
        afterUntilTotal = new LongCounter();
        getRuntimeContext().addAccumulator(APPLIED_ACCUMULATOR, appliedTotal);
        getRuntimeContext().addAccumulator(AFTER_UNTIL_ACCUMULATOR, afterUntilTotal);
        duplicatesTotal = new LongCounter();
        getRuntimeContext().addAccumulator(DUPLICATES_ACCUMULATOR, duplicatesTotal);
    }

    @Override
    public void processElement(IngestedBatch batch, Context ctx, Collector<MembershipDelta> out) throws Exception {
        if (settings.timeMode() == TimeMode.PROCESSING) {
            long now = ctx.timerService().currentProcessingTime();
            UserProfile p = load();
            if (p != null && now >= evaluator.expiresAt(p)) {
                emit(evaluator.removeAll(ctx.getCurrentKey(), p, evaluator.expiresAt(p), Reason.PROFILE_EXPIRED), out);
                p = null;
            }
            p = apply(batch, p, now, ctx, out);
            schedule(p, now, ctx.timerService());
            save(p);
            return;
        }
        Long until = settings.untilMs();
        if (until != null && batch.batchTime > until) {
            afterUntilTotal.add(1);
            return;
        }
        IngestedBatch[] waiting = pending.get(batch.batchTime);
        IngestedBatch[] updated = waiting == null ? new IngestedBatch[1] : Arrays.copyOf(waiting, waiting.length + 1);
        updated[updated.length - 1] = batch;
        pending.put(batch.batchTime, updated);
        ctx.timerService().registerEventTimeTimer(batch.batchTime);
    }

    @Override
    public void onTimer(long at, OnTimerContext ctx, Collector<MembershipDelta> out) throws Exception {
        UserProfile p = load();
        if (p != null && p.timerAt == at) {
            p.timerAt = NO_TIMER;
            if (at >= evaluator.expiresAt(p)) {
                // Profile expiry wins over a window edge at the same instant.
                emit(evaluator.removeAll(ctx.getCurrentKey(), p, at, Reason.PROFILE_EXPIRED), out);
                p = null;
            } else {
                emit(evaluator.evaluateAt(ctx.getCurrentKey(), p, at), out);
            }
        }
        if (settings.timeMode() == TimeMode.EVENT) {
            IngestedBatch[] due = pending.get(at);
            if (due != null) {
                pending.remove(at);
                Arrays.sort(due, Comparator.comparingLong(b -> b.order));
                for (IngestedBatch batch : due) {
                    p = apply(batch, p, at, ctx, out);
                }
            }
        }
        schedule(p, at, ctx.timerService());
        save(p);
    }

    private UserProfile apply(IngestedBatch raw, UserProfile p, long at, Context ctx, Collector<MembershipDelta> out) {
        BatchParser.Result parsed = BatchParser.parse(raw.payload, raw.receivedAt);
        if (!parsed.ok()) {
            // Ingest validated it already; a parser change between the two would land here.
            RawRecord record = new RawRecord("keyed-state", -1, raw.order, raw.order, raw.receivedAt, raw.payload);
            ctx.output(IngestFunction.DEAD_LETTERS, DeadLetter.of(record, parsed.rejection()));
            return p;
        }
        Batch batch = parsed.batch();
        if (p != null && Deduplication.isDuplicate(p, batch)) {
            // A redelivered batch changes nothing, not even the profile lifetime.
            duplicatesTotal.add(1);
            return p;
        }
        UserProfile profile = p != null ? p : ProfileEvaluator.newProfile(at);
        Deduplication.dropSeenEvents(profile, batch);
        emit(evaluator.applyBatch(ctx.getCurrentKey(), profile, batch, at), out);
        Deduplication.remember(profile, batch);
        batchesApplied.inc();
        appliedTotal.add(1);
        return profile;
    }

    /** Keeps exactly one timer per user: at the next instant a membership may flip. */
    private void schedule(UserProfile p, long at, TimerService timers) throws Exception {
        long next = p == null ? Long.MAX_VALUE : evaluator.nextInstant(p, at);
        Long until = settings.untilMs();
        if (next == Long.MAX_VALUE || (until != null && next > until)) {
            next = NO_TIMER;
        }
        long current = p == null ? NO_TIMER : p.timerAt;
        if (current == next) {
            return;
        }
        if (current != NO_TIMER && current > at) {
            deleteTimer(timers, current);
        }
        if (next != NO_TIMER) {
            registerTimer(timers, next);
        }
        if (p != null) {
            p.timerAt = next;
        }
    }

    private void registerTimer(TimerService timers, long at) {
        if (settings.timeMode() == TimeMode.PROCESSING) {
            timers.registerProcessingTimeTimer(at);
        } else {
            timers.registerEventTimeTimer(at);
        }
    }

    private void deleteTimer(TimerService timers, long at) throws Exception {
        if (settings.timeMode() == TimeMode.PROCESSING) {
            timers.deleteProcessingTimeTimer(at);
        } else if (!pending.contains(at)) {
            // A pending batch shares the timer of its instant; it must still fire.
            timers.deleteEventTimeTimer(at);
        }
    }

    private void emit(List<MembershipDelta> deltas, Collector<MembershipDelta> out) {
        for (MembershipDelta d : deltas) {
            out.collect(d);
        }
        deltasEmitted.inc(deltas.size());
    }

    private UserProfile load() throws Exception {
        byte[] bytes = profileState.value();
        return bytes == null ? null : ProfileCodec.decode(bytes);
    }

    private void save(UserProfile p) throws Exception {
        if (p == null) {
            profileState.clear();
        } else {
            profileState.update(ProfileCodec.encode(p));
        }
    }
}
