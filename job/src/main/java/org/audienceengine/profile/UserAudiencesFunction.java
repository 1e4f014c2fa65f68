package org.audienceengine.profile;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import org.audienceengine.config.EngineSettings;
import org.audienceengine.config.TimeMode;
import org.audienceengine.definitions.AudienceSet;
import org.audienceengine.definitions.Definitions;
import org.audienceengine.deltas.MembershipDelta;
import org.audienceengine.deltas.Reason;
import org.audienceengine.erasure.ErasureCompletion;
import org.audienceengine.evaluation.DefinitionBackfill;
import org.audienceengine.evaluation.ProfileEvaluator;
import org.audienceengine.ingest.Batch;
import org.audienceengine.ingest.BatchParser;
import org.audienceengine.ingest.DeadLetter;
import org.audienceengine.ingest.IngestFunction;
import org.audienceengine.ingest.IngestedBatch;
import org.audienceengine.ingest.RawRecord;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * The keyed heart of the engine: per user one profile value in state, one expiry timer, and the
 * evaluation of every audience when a batch arrives or a window edge passes. The broadcast side
 * carries new versions of the definitions, applied to every user in state at once.
 *
 * <p>In event time (replay), batches wait in {@code pending} until event time reaches their batch
 * time, so that each user's batches are applied in time order (ties in input order) and expiry
 * instants in between are evaluated first, whatever order the input had.
 */
public final class UserAudiencesFunction
        extends KeyedBroadcastProcessFunction<Long, IngestedBatch, String, MembershipDelta>
        implements CheckpointedFunction {
    private static final Logger LOG = LoggerFactory.getLogger(UserAudiencesFunction.class);

    /** Job accumulators that bounded runs report. */
    public static final String APPLIED_ACCUMULATOR = "batches-applied";
    public static final String AFTER_UNTIL_ACCUMULATOR = "batches-after-until";
    public static final String DUPLICATES_ACCUMULATOR = "batches-duplicate";
    /** Completion records of erasure requests (deltas.md), as JSON text. */
    public static final OutputTag<String> ERASURE_COMPLETIONS = new OutputTag<>("erasure-completions") {};
    /** The definitions document in force, under {@link #CURRENT}. */
    public static final MapStateDescriptor<String, String> DEFINITIONS =
            new MapStateDescriptor<>("definitions", Types.STRING, Types.STRING);
    private static final String CURRENT = "current";
    private static final long NO_TIMER = Long.MIN_VALUE;
    private static final TypeInformation<IngestedBatch[]> PENDING_TYPE =
            Types.OBJECT_ARRAY(TypeInformation.of(IngestedBatch.class));

    private final EngineSettings settings;
    private transient String definitionsJson;
    private transient ProfileEvaluator evaluator;
    private transient ValueState<byte[]> profileState;
    private transient MapState<Long, IngestedBatch[]> pending;
    private transient Counter batchesApplied;
    private transient Counter deltasEmitted;
    private transient LongCounter appliedTotal;
    private transient LongCounter afterUntilTotal;
    private transient LongCounter duplicatesTotal;
    private transient Counter duplicates;
    private transient MembershipMetrics metrics;
    private transient ListState<Tuple3<Integer, Integer, Long>> metricsState;
    /** Whether the user being processed had a profile and an armed timer when it was loaded. */
    private transient boolean loadedProfile;
    private transient boolean loadedTimer;

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
    public void initializeState(FunctionInitializationContext context) throws Exception {
        TaskInfo task = getRuntimeContext().getTaskInfo();
        int maxParallelism = task.getMaxNumberOfParallelSubtasks();
        metrics = new MembershipMetrics(getRuntimeContext().getMetricGroup(), maxParallelism,
                KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex(maxParallelism,
                        task.getNumberOfParallelSubtasks(), task.getIndexOfThisSubtask()),
                System::currentTimeMillis);
        metricsState = context.getOperatorStateStore().getUnionListState(MembershipMetrics.COUNTS);
        if (context.isRestored()) {
            metrics.restore(metricsState);
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        metrics.snapshot(metricsState);
    }

    @Override
    public void open(OpenContext context) {
        use(settings.definitionsJson());
        profileState = getRuntimeContext().getState(profileDescriptor());
        pending = getRuntimeContext().getMapState(pendingDescriptor());
        batchesApplied = getRuntimeContext().getMetricGroup().counter("batchesApplied");
        deltasEmitted = getRuntimeContext().getMetricGroup().counter("deltasEmitted");
        duplicates = getRuntimeContext().getMetricGroup().counter("batchesDuplicate");
        appliedTotal = new LongCounter();
        afterUntilTotal = new LongCounter();
        duplicatesTotal = new LongCounter();
        getRuntimeContext().addAccumulator(APPLIED_ACCUMULATOR, appliedTotal);
        getRuntimeContext().addAccumulator(AFTER_UNTIL_ACCUMULATOR, afterUntilTotal);
        getRuntimeContext().addAccumulator(DUPLICATES_ACCUMULATOR, duplicatesTotal);
    }

    private AudienceSet use(String json) {
        AudienceSet set = Definitions.parseValid(json);
        definitionsJson = json;
        evaluator = new ProfileEvaluator(set, settings.profileLifetimeMs(), settings.timeMode() == TimeMode.PROCESSING,
                settings.identityTypesUsed());
        if (metrics != null) {
            metrics.register(set.inEvaluationOrder().stream().map(a -> a.id()).toList());
        }
        return set;
    }

    /** After a restore the broadcast state may hold a newer document than the one started with. */
    private void follow(ReadOnlyBroadcastState<String, String> definitions) throws Exception {
        String inForce = definitions.get(CURRENT);
        // Compared by reference first: this runs for every record, and the document is large.
        if (inForce != null && inForce != definitionsJson) {
            if (inForce.equals(definitionsJson)) {
                definitionsJson = inForce;
            } else {
                use(inForce);
            }
        }
    }

    @Override
    public void processElement(IngestedBatch input, ReadOnlyContext ctx, Collector<MembershipDelta> out) throws Exception {
        follow(ctx.getBroadcastState(DEFINITIONS));
        if (settings.timeMode() == TimeMode.PROCESSING) {
            long now = ctx.timerService().currentProcessingTime();
            UserProfile p = catchUp(load(), now, ctx.getCurrentKey(), ctx.timerService(), out);
            p = input.isErasure() ? erase(input, p, now, ctx, out) : apply(input, p, now, ctx, out);
            schedule(p, now, ctx.timerService());
            save(ctx.getCurrentKey(), p);
            return;
        }
        Long until = settings.untilMs();
        if (until != null && input.batchTime > until) {
            if (!input.isErasure()) {
                afterUntilTotal.add(1);
            }
            return;
        }
        IngestedBatch[] waiting = pending.get(input.batchTime);
        IngestedBatch[] updated = waiting == null ? new IngestedBatch[1] : Arrays.copyOf(waiting, waiting.length + 1);
        updated[updated.length - 1] = input;
        pending.put(input.batchTime, updated);
        ctx.timerService().registerEventTimeTimer(input.batchTime);
    }

    /**
     * Live mode: a due timer waits in the task's mailbox, so a record can arrive after the clock
     * passed the user's next instant but before the timer ran. Evaluate every instant up to now
     * first, in order, as the timer would have (and as replay does before a batch); the timer,
     * when it comes, finds nothing left to do.
     */
    private UserProfile catchUp(UserProfile p, long now, long mpid, TimerService timers, Collector<MembershipDelta> out) {
        if (p == null || p.timerAt == NO_TIMER || p.timerAt > now) {
            return p;
        }
        // The due timer has not run yet: it would find nothing left to do.
        timers.deleteProcessingTimeTimer(p.timerAt);
        while (p.timerAt != NO_TIMER && p.timerAt <= now) {
            long at = p.timerAt;
            if (at >= evaluator.expiresAt(p)) {
                emit(evaluator.removeAll(mpid, p, evaluator.expiresAt(p), Reason.PROFILE_EXPIRED), out);
                return null;
            }
            emit(evaluator.evaluateAt(mpid, p, at), out);
            long next = evaluator.nextInstant(p, at);
            p.timerAt = next == Long.MAX_VALUE ? NO_TIMER : next;
        }
        // Instants evaluated here were never registered; the next one is, once the record is in.
        p.timerAt = NO_TIMER;
        return p;
    }

    @Override
    public void onTimer(long at, OnTimerContext ctx, Collector<MembershipDelta> out) throws Exception {
        follow(ctx.getBroadcastState(DEFINITIONS));
        UserProfile p = load();
        if (settings.timeMode() == TimeMode.PROCESSING && (p == null || p.timerAt != at)) {
            // Stale: a batch processed after this timer was due (timers wait in the mailbox) already
            // evaluated the user at a later time and armed their next timer. Evaluating or
            // rescheduling from this earlier instant would count that batch's events as not yet
            // in their windows and emit flips dated before deltas already sent.
            return;
        }
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
                for (IngestedBatch input : due) {
                    p = input.isErasure() ? erase(input, p, at, ctx, out) : apply(input, p, at, ctx, out);
                }
            }
        }
        schedule(p, at, ctx.timerService());
        save(ctx.getCurrentKey(), p);
    }

    @Override
    public void processBroadcastElement(String json, Context ctx, Collector<MembershipDelta> out) throws Exception {
        BroadcastState<String, String> definitions = ctx.getBroadcastState(DEFINITIONS);
        follow(definitions);
        AudienceSet next;
        try {
            next = Definitions.parse(json);
        } catch (Definitions.InvalidDefinitionsException e) {
            // Every parallel instance sees the document; one report is enough.
            if (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) {
                LOG.warn("Rejected audience definitions; the set in force stays. {}", e.getMessage());
            }
            return;
        }
        AudienceSet previous = evaluator.audiences();
        Set<Integer> changed = next.changedSince(previous);
        definitions.put(CURRENT, json);
        use(json);
        if (changed.isEmpty()) {
            return;
        }
        long now = settings.timeMode() == TimeMode.PROCESSING ? ctx.currentProcessingTime() : ctx.currentWatermark();
        ctx.applyToKeyedState(profileDescriptor(), (mpid, state) -> {
            byte[] bytes = state.value();
            if (bytes == null) {
                return;
            }
            UserProfile p = ProfileCodec.decode(bytes);
            // In event time a user's clock is at least their last batch.
            long at = Math.max(now, p.lastBatchAt);
            emit(DefinitionBackfill.apply(mpid, p, at, previous, next, changed), out);
            state.update(ProfileCodec.encode(p));
        });
        LOG.info("Audience definitions replaced by document {} ({} audience(s)); {} audience(s) re-evaluated for"
                + " every user", Definitions.fingerprint(json), next.inEvaluationOrder().size(), changed.size());
    }

    private UserProfile apply(IngestedBatch raw, UserProfile p, long at, ReadOnlyContext ctx, Collector<MembershipDelta> out) {
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
            duplicates.inc();
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

    /** Removes the user from every audience and forgets them; returns no profile. */
    private UserProfile erase(IngestedBatch request, UserProfile p, long at, ReadOnlyContext ctx, Collector<MembershipDelta> out)
            throws Exception {
        long mpid = ctx.getCurrentKey();
        if (p == null) {
            ctx.output(ERASURE_COMPLETIONS,
                    ErasureCompletion.json(request.erasureRequestId, mpid, ErasureCompletion.NOT_FOUND, at, 0));
            return null;
        }
        List<MembershipDelta> removes = evaluator.removeAll(mpid, p, at, Reason.ERASURE);
        emit(removes, out);
        if (p.timerAt != NO_TIMER) {
            deleteTimer(ctx.timerService(), p.timerAt);
        }
        ctx.output(ERASURE_COMPLETIONS,
                ErasureCompletion.json(request.erasureRequestId, mpid, ErasureCompletion.COMPLETED, at, removes.size()));
        return null;
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
            if (settings.timeMode() == TimeMode.PROCESSING) {
                timers.registerProcessingTimeTimer(next);
            } else {
                timers.registerEventTimeTimer(next);
            }
        }
        if (p != null) {
            p.timerAt = next;
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
            metrics.onDelta(d);
            out.collect(d);
        }
        deltasEmitted.inc(deltas.size());
    }

    private UserProfile load() throws Exception {
        byte[] bytes = profileState.value();
        UserProfile p = bytes == null ? null : ProfileCodec.decode(bytes);
        loadedProfile = p != null;
        loadedTimer = p != null && p.timerAt != NO_TIMER;
        return p;
    }

    private void save(long mpid, UserProfile p) throws Exception {
        metrics.onUser(mpid, loadedProfile, p != null, loadedTimer, p != null && p.timerAt != NO_TIMER);
        if (p == null) {
            profileState.clear();
        } else {
            profileState.update(ProfileCodec.encode(p));
        }
    }
}
