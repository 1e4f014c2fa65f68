package org.audienceengine.profile;

import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.SimpleTimerService;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.operators.YieldingOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

import org.audienceengine.config.EngineSettings;
import org.audienceengine.config.TimeMode;
import org.audienceengine.definitions.AudienceSet;
import org.audienceengine.deltas.MembershipDelta;
import org.audienceengine.evaluation.ProfileEvaluator;
import org.audienceengine.ingest.IngestedBatch;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The keyed heart of the engine: per user one profile value in state and one timer at the next
 * instant a membership may flip; the second input carries definitions documents, broadcast to
 * every instance. A changed document is brought to every user in state by a {@link BackfillWalk}
 * that yields to the mailbox between chunks, with the timer service at hand, so each user's next
 * instant follows the new audiences. The per-user steps live in {@link UserSteps}.
 *
 * <p>In event time, batches wait in {@code pending} until event time reaches their batch time, so
 * that each user's batches are applied in time order (ties in input order) and expiry instants in
 * between are evaluated first, whatever order the input had.
 */
public final class UserAudiencesOperator extends AbstractStreamOperator<MembershipDelta>
        implements TwoInputStreamOperator<IngestedBatch, String, MembershipDelta>, Triggerable<Long, VoidNamespace>,
        YieldingOperator<MembershipDelta> {
    private static final long serialVersionUID = 1L;

    /** Job accumulators that bounded runs report. */
    public static final String APPLIED_ACCUMULATOR = "batches-applied";
    public static final String AFTER_UNTIL_ACCUMULATOR = "batches-after-until";
    public static final String DUPLICATES_ACCUMULATOR = "batches-duplicate";
    /** Completion records of erasure requests (deltas.md), as JSON text. */
    public static final OutputTag<String> ERASURE_COMPLETIONS = new OutputTag<>("erasure-completions") {};
    /** The definitions in force (see {@link DefinitionsInForce}), as broadcast state. */
    public static final MapStateDescriptor<String, String> DEFINITIONS = DefinitionsInForce.STATE;
    /** The entry of {@link #DEFINITIONS} that holds the document in force. */
    public static final String DEFINITIONS_CURRENT = DefinitionsInForce.CURRENT;
    private static final TypeInformation<IngestedBatch[]> PENDING_TYPE =
            Types.OBJECT_ARRAY(TypeInformation.of(IngestedBatch.class));
    /** Per key group and audience (or the profiles and timers counts): members, kept for the size gauges. */
    public static final ListStateDescriptor<Tuple3<Integer, Integer, Long>> MEMBERSHIP_COUNTS = MembershipMetrics.COUNTS;
    public static final int COUNT_OF_PROFILES = MembershipMetrics.PROFILES;
    public static final int COUNT_OF_TIMERS = MembershipMetrics.TIMERS;
    /** The users' one timer each (and the pending batches' in event time). */
    public static final String TIMERS = "user-timers";
    /** Per old instance: the epoch of a walk it had not finished (union: every new instance sees all). */
    public static final ListStateDescriptor<Integer> UNFINISHED =
            new ListStateDescriptor<>("definitions-backfill-unfinished", Types.INT);
    /** Per old instance: the event time it had reached, for a change applied at restore. */
    public static final ListStateDescriptor<Long> EVENT_TIME =
            new ListStateDescriptor<>("event-time-reached", Types.LONG);

    private final EngineSettings settings;
    private transient MailboxExecutor mailbox;
    private transient DefinitionsInForce definitions;
    private transient boolean walkAtOpen;
    private transient UserSteps steps;
    private transient BackfillWalk walk;
    private transient InternalTimerService<VoidNamespace> timers;
    private transient ValueState<byte[]> profileState;
    private transient MapState<Long, IngestedBatch[]> pending;
    private transient LongCounter appliedTotal;
    private transient LongCounter afterUntilTotal;
    private transient MembershipMetrics metrics;
    private transient ListState<Tuple3<Integer, Integer, Long>> metricsState;
    private transient ListState<Integer> unfinishedState;
    private transient ListState<Long> eventTimeState;
    /** Whether the user being processed had a profile and an armed timer when it was loaded. */
    private transient boolean loadedProfile;
    private transient boolean loadedTimer;

    public UserAudiencesOperator(EngineSettings settings) {
        this.settings = settings;
    }

    /**
     * The definitions state with {@code json} in force, as if it had been the file at submit
     * all along, for state whose profiles were brought to it by a tool (bootstrap).
     */
    public static java.util.Map<String, String> definitionsInstalled(java.util.Map<String, String> entries, String json) {
        return DefinitionsInForce.installedBeside(entries, json);
    }

    public static ValueStateDescriptor<byte[]> profileDescriptor() {
        return new ValueStateDescriptor<>("profile", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
    }

    public static MapStateDescriptor<Long, IngestedBatch[]> pendingDescriptor() {
        // Named anew with the parsed-batch serializer; savepoints' "pending-batches" is left unread.
        return new MapStateDescriptor<>("pending-parsed-batches", Types.LONG, PENDING_TYPE);
    }

    @Override
    public void setMailboxExecutor(MailboxExecutor mailboxExecutor) {
        this.mailbox = mailboxExecutor;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        TaskInfo task = getRuntimeContext().getTaskInfo();
        int maxParallelism = task.getMaxNumberOfParallelSubtasks();
        metrics = new MembershipMetrics(getRuntimeContext().getMetricGroup(), maxParallelism,
                KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex(maxParallelism,
                        task.getNumberOfParallelSubtasks(), task.getIndexOfThisSubtask()),
                System::currentTimeMillis);
        metricsState = context.getOperatorStateStore().getUnionListState(MEMBERSHIP_COUNTS);
        unfinishedState = context.getOperatorStateStore().getUnionListState(UNFINISHED);
        eventTimeState = context.getOperatorStateStore().getUnionListState(EVENT_TIME);
        long restoredAt = getProcessingTimeService().getCurrentProcessingTime();
        int unfinished = -1;
        if (context.isRestored()) {
            metrics.restore(metricsState);
            for (Integer epoch : unfinishedState.get()) {
                unfinished = Math.max(unfinished, epoch);
            }
            if (settings.timeMode() == TimeMode.EVENT) {
                restoredAt = Long.MIN_VALUE;
                for (Long reached : eventTimeState.get()) {
                    restoredAt = Math.max(restoredAt, reached);
                }
            }
        }
        definitions = DefinitionsInForce.start(context.getOperatorStateStore().getBroadcastState(DEFINITIONS),
                settings.definitionsJson(), restoredAt, task.getIndexOfThisSubtask() == 0);
        // A walk left unfinished before the restore, or a changed file: users still to bring over.
        walkAtOpen = definitions.changedAtStart() || unfinished == definitions.epoch();
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        metrics.snapshot(metricsState);
        unfinishedState.update(walk.running() ? List.of(definitions.epoch()) : List.of());
        eventTimeState.update(List.of(timers.currentWatermark()));
    }

    @Override
    public void open() throws Exception {
        super.open();
        timers = getInternalTimerService(TIMERS, VoidNamespaceSerializer.INSTANCE, this);
        profileState = getRuntimeContext().getState(profileDescriptor());
        pending = getRuntimeContext().getMapState(pendingDescriptor());
        appliedTotal = new LongCounter();
        afterUntilTotal = new LongCounter();
        LongCounter duplicatesTotal = new LongCounter();
        getRuntimeContext().addAccumulator(APPLIED_ACCUMULATOR, appliedTotal);
        getRuntimeContext().addAccumulator(AFTER_UNTIL_ACCUMULATOR, afterUntilTotal);
        getRuntimeContext().addAccumulator(DUPLICATES_ACCUMULATOR, duplicatesTotal);
        steps = new UserSteps(settings, new SimpleTimerService(timers), pending, new UserSteps.Counters(
                getMetricGroup().counter("batchesApplied"), appliedTotal, getMetricGroup().counter("deltasEmitted"),
                getMetricGroup().counter("batchesDuplicate"), duplicatesTotal), metrics, this::emit, this::sideOutput);
        use();
        if (mailbox == null) {
            // Created outside an operator factory (a test harness): the task's mailbox, as the factory would.
            mailbox = getContainingTask().getMailboxExecutorFactory().createExecutor(getOperatorConfig().getChainIndex());
        }
        walk = new BackfillWalk(getKeyedStateBackend(), profileDescriptor().getName(), mailbox, this::setCurrentKey,
                this::bringOver);
        getMetricGroup().gauge("definitionsEpoch", (Gauge<Integer>) () -> definitions.epoch());
        getMetricGroup().gauge("definitionsAudiences", (Gauge<Integer>) () -> definitions.current().inEvaluationOrder().size());
        // The first 12 hex digits of the document's SHA-256 (as logged), as a number.
        getMetricGroup().gauge("definitionsFingerprint", (Gauge<Long>) () -> Long.parseLong(definitions.fingerprint(), 16));
        getMetricGroup().gauge("backfillRemainingUsers", (Gauge<Long>) () -> walk.remaining());
        if (walkAtOpen) {
            walk.start();
        }
    }

    private void use() {
        AudienceSet current = definitions.current();
        AudienceSet previous = definitions.previous();
        steps.use(evaluator(current), previous == null ? null : evaluator(previous), definitions);
        metrics.register(current.inEvaluationOrder().stream().map(a -> a.id()).toList());
    }

    private ProfileEvaluator evaluator(AudienceSet set) {
        return new ProfileEvaluator(set, settings.profileLifetimeMs(), settings.timeMode() == TimeMode.PROCESSING,
                settings.identityTypesUsed());
    }

    @Override
    public void processElement1(StreamRecord<IngestedBatch> record) throws Exception {
        IngestedBatch input = record.getValue();
        long mpid = currentUser();
        if (settings.timeMode() == TimeMode.PROCESSING) {
            long now = getProcessingTimeService().getCurrentProcessingTime();
            UserProfile p = steps.bringOver(load(), mpid, now);
            p = steps.catchUp(p, mpid, now);
            p = steps.applyOrErase(input, p, mpid, now);
            steps.schedule(p, now, false);
            save(mpid, p);
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
        timers.registerEventTimeTimer(VoidNamespace.INSTANCE, input.batchTime);
    }

    @Override
    public void processElement2(StreamRecord<String> record) throws Exception {
        long at = settings.timeMode() == TimeMode.PROCESSING
                ? getProcessingTimeService().getCurrentProcessingTime() : timers.currentWatermark();
        // Users of a change under way are brought over first: a profile is at most one epoch behind.
        walk.finishNow();
        AudienceSet before = definitions.current();
        boolean changed = definitions.offer(record.getValue(), at);
        if (definitions.current() != before) {
            use();
        }
        if (changed) {
            walk.start();
        }
    }

    @Override
    public void onProcessingTime(InternalTimer<Long, VoidNamespace> timer) throws Exception {
        long at = timer.getTimestamp();
        long mpid = timer.getKey();
        UserProfile p = load();
        if (p != null && p.definitionsEpoch != definitions.epoch()) {
            bringOverNow(p, mpid);
            return;
        }
        if (p == null || p.timerAt != at) {
            // Stale: a batch processed after this timer was due (timers wait in the mailbox) already
            // evaluated the user at a later time and armed their next timer. Evaluating or
            // rescheduling from this earlier instant would count that batch's events as not yet
            // in their windows and emit flips dated before deltas already sent.
            return;
        }
        save(mpid, steps.fire(p, mpid, at));
    }

    @Override
    public void onEventTime(InternalTimer<Long, VoidNamespace> timer) throws Exception {
        long at = timer.getTimestamp();
        long mpid = timer.getKey();
        UserProfile p = load();
        if (p != null && p.definitionsEpoch != definitions.epoch()) {
            // Brought over up to and including this instant; the batches due now follow.
            p = steps.bringOver(p, mpid, at);
        }
        // At the end of time (a bounded input's end; in batch execution, the end of this user's
        // sorted input) timers set from here may be ignored: the user's instants run here instead.
        boolean endOfInput = timers.currentWatermark() == Long.MAX_VALUE;
        IngestedBatch[] due = pending.get(at);
        boolean armed = false;
        if (endOfInput) {
            p = steps.catchUp(p, mpid, at);
        } else if (p != null && p.timerAt == at && due == null) {
            p = steps.fire(p, mpid, at);
            armed = true;
        } else if (p != null && p.timerAt == at) {
            p = steps.evaluateAt(p, mpid, at);
        }
        if (due != null) {
            pending.remove(at);
            Arrays.sort(due, Comparator.comparingLong(b -> b.order));
            for (IngestedBatch input : due) {
                p = steps.applyOrErase(input, p, mpid, at);
            }
        }
        if (!armed) {
            steps.schedule(p, at, due == null);
        }
        if (endOfInput && pending.isEmpty()) {
            // The user's last batch: every instant left, up to the end of the run.
            Long until = settings.untilMs();
            p = steps.catchUp(p, mpid, until == null ? Long.MAX_VALUE - 1 : until);
        }
        save(mpid, p);
    }

    /** A visit of the backfill walk: the current user, if still behind, is brought over now. */
    private void bringOver(long mpid) throws Exception {
        UserProfile p = load();
        if (p != null && p.definitionsEpoch != definitions.epoch()) {
            bringOverNow(p, mpid);
        }
    }

    /** Brings a loaded user over up to the current time, arms their timer and saves them. */
    private void bringOverNow(UserProfile loaded, long mpid) throws Exception {
        UserProfile p = loaded;
        long now = settings.timeMode() == TimeMode.PROCESSING
                ? getProcessingTimeService().getCurrentProcessingTime() : timers.currentWatermark();
        long until = Math.max(now, steps.changeTime(p, now));
        p = steps.bringOver(p, mpid, now);
        steps.schedule(p, until, true);
        save(mpid, p);
    }

    private long currentUser() {
        return (Long) getCurrentKey();
    }

    private void emit(MembershipDelta delta) {
        output.collect(new StreamRecord<>(delta));
    }

    private <T> void sideOutput(OutputTag<T> tag, T value) {
        output.collect(tag, new StreamRecord<>(value));
    }

    private UserProfile load() throws Exception {
        byte[] bytes = profileState.value();
        UserProfile p = bytes == null ? null : ProfileCodec.decode(bytes);
        loadedProfile = p != null;
        loadedTimer = p != null && p.timerAt != UserSteps.NO_TIMER;
        return p;
    }

    private void save(long mpid, UserProfile p) throws Exception {
        metrics.onUser(mpid, loadedProfile, p != null, loadedTimer, p != null && p.timerAt != UserSteps.NO_TIMER);
        if (p == null) {
            profileState.clear();
        } else {
            profileState.update(ProfileCodec.encode(p));
        }
    }
}
