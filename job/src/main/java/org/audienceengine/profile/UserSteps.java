package org.audienceengine.profile;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.util.OutputTag;

import org.audienceengine.config.EngineSettings;
import org.audienceengine.config.TimeMode;
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

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * What happens to one user, with the key, state and timers set by {@link UserAudiencesOperator}:
 * a batch applied, an instant evaluated, a definitions change brought over, and the one timer the
 * user keeps at their next instant. The operator loads the profile before and saves it after.
 */
final class UserSteps {
    static final long NO_TIMER = Long.MIN_VALUE;

    /** The operator's counters and the bounded runs' accumulators. */
    record Counters(Counter applied, LongCounter appliedTotal, Counter deltas, Counter duplicates,
            LongCounter duplicatesTotal) {}

    private final EngineSettings settings;
    private final TimerService timers;
    /** Null where no batch waits in state (a user's history replayed in memory). */
    private final MapState<Long, IngestedBatch[]> pending;
    private final Counters counters;
    private final MembershipMetrics metrics;
    private final Consumer<MembershipDelta> out;
    private final SideOutput sideOut;
    private ProfileEvaluator evaluator;
    private ProfileEvaluator before;
    private DefinitionsInForce definitions;

    UserSteps(EngineSettings settings, TimerService timers, MapState<Long, IngestedBatch[]> pending,
            Counters counters, MembershipMetrics metrics, Consumer<MembershipDelta> out,
            SideOutput sideOut) {
        this.settings = settings;
        this.timers = timers;
        this.pending = pending;
        this.counters = counters;
        this.metrics = metrics;
        this.out = out;
        this.sideOut = sideOut;
    }

    /** Where side output records go. */
    interface SideOutput {
        <T> void collect(OutputTag<T> tag, T value);
    }

    /** The sets in force and before the latest change (null before any change). */
    void use(ProfileEvaluator current, ProfileEvaluator previous, DefinitionsInForce inForce) {
        this.evaluator = current;
        this.before = previous;
        this.definitions = inForce;
    }

    /**
     * When the latest change applies to this user: when it took effect, but never before the
     * user's last batch (in event time a user's clock is at least that) nor after {@code limit},
     * the time the user is at now.
     */
    long changeTime(UserProfile p, long limit) {
        return Math.max(p.lastBatchAt, Math.min(definitions.changedAt(), limit));
    }

    /**
     * Brings a profile one epoch behind to the definitions in force (audiences.md "Changes at run
     * time"): the instants the old set still owed up to the change, then the change (only the
     * changed audiences and their dependants flip, with reason {@code definition}), then the new
     * set's instants up to {@code limit}. No timer is left registered: the caller schedules one.
     */
    UserProfile bringOver(UserProfile p, long mpid, long limit) throws Exception {
        if (p == null || p.definitionsEpoch == definitions.epoch()) {
            return p;
        }
        long at = changeTime(p, limit);
        // A profile behind the epoch means a change happened, so the set before it is known.
        p = catchUp(before, p, mpid, at, true);
        if (p == null) {
            return null;
        }
        emit(DefinitionBackfill.apply(mpid, p, at, before.audiences(), evaluator.audiences(), definitions.changed()));
        p.definitionsEpoch = definitions.epoch();
        if (p.timerAt != NO_TIMER) {
            deleteTimer(p.timerAt);
        }
        // The new set's instants up to the limit are evaluated here, never registered.
        long next = evaluator.nextInstant(p, at, true);
        p.timerAt = next == Long.MAX_VALUE ? NO_TIMER : next;
        p = catchUp(evaluator, p, mpid, Math.max(at, limit), false);
        if (p != null) {
            p.timerAt = NO_TIMER;
        }
        return p;
    }

    /**
     * Evaluates every instant up to {@code now} that the user's timer has not reached yet, in
     * order, as the timer would have. Live mode: a due timer waits in the task's mailbox, so a
     * record can arrive after the clock passed the user's next instant but before the timer ran;
     * the timer, when it comes, finds nothing left to do. No timer is left registered.
     */
    UserProfile catchUp(UserProfile p, long mpid, long now) throws Exception {
        return catchUp(evaluator, p, mpid, now, true);
    }

    /** @param registered whether {@code p.timerAt} is a registered timer (to delete once it is passed) */
    private UserProfile catchUp(ProfileEvaluator ev, UserProfile p, long mpid, long now, boolean registered)
            throws Exception {
        if (p == null || p.timerAt == NO_TIMER || p.timerAt > now) {
            return p;
        }
        if (registered) {
            deleteTimer(p.timerAt);
        }
        List<MembershipDelta> deltas = new ArrayList<>();
        long next = ev.catchUp(mpid, p, p.timerAt, now, deltas);
        emit(deltas);
        if (next <= now) {
            emit(ev.removeAll(mpid, p, ev.expiresAt(p), Reason.PROFILE_EXPIRED));
            return null;
        }
        p.timerAt = NO_TIMER;
        return p;
    }

    /** The user's timer at {@code at} fired: a window edge, or the end of the profile's lifetime. */
    UserProfile evaluateAt(UserProfile p, long mpid, long at) {
        if (expiresAt(p, mpid, at)) {
            return null;
        }
        emit(evaluator.evaluateAt(mpid, p, at));
        return p;
    }

    /** The timer at {@code at} is spent; true (and the user removed everywhere) when the profile's lifetime ends there. */
    private boolean expiresAt(UserProfile p, long mpid, long at) {
        p.timerAt = NO_TIMER;
        if (at < evaluator.expiresAt(p)) {
            return false;
        }
        // Profile expiry wins over a window edge at the same instant.
        emit(evaluator.removeAll(mpid, p, at, Reason.PROFILE_EXPIRED));
        return true;
    }

    UserProfile applyOrErase(IngestedBatch input, UserProfile p, long mpid, long at) throws Exception {
        return input.isErasure() ? erase(input, p, mpid, at) : apply(input, p, mpid, at);
    }

    private UserProfile apply(IngestedBatch raw, UserProfile p, long mpid, long at) {
        Batch batch = raw.batch;
        if (batch == null) {
            BatchParser.Result parsed = BatchParser.parse(raw.payload, raw.receivedAt);
            if (!parsed.ok()) {
                // Made from a payload that ingest never validated (a test, a tool).
                RawRecord record = new RawRecord("keyed-state", -1, raw.order, raw.order, raw.receivedAt, raw.payload);
                sideOut.collect(IngestFunction.DEAD_LETTERS, DeadLetter.of(record, parsed.rejection()));
                return p;
            }
            batch = parsed.batch();
        }
        if (p != null && Deduplication.isDuplicate(p, batch)) {
            // A redelivered batch changes nothing, not even the profile lifetime.
            counters.duplicatesTotal().add(1);
            counters.duplicates().inc();
            return p;
        }
        UserProfile profile = p;
        if (profile == null) {
            profile = ProfileEvaluator.newProfile(at);
            profile.definitionsEpoch = definitions.epoch();
        }
        Deduplication.dropSeenEvents(profile, batch);
        emit(evaluator.applyBatch(mpid, profile, batch, at));
        Deduplication.remember(profile, batch);
        counters.applied().inc();
        counters.appliedTotal().add(1);
        return profile;
    }

    /** Removes the user from every audience and forgets them; returns no profile. */
    private UserProfile erase(IngestedBatch request, UserProfile p, long mpid, long at) throws Exception {
        if (p == null) {
            sideOut.collect(UserAudiencesOperator.ERASURE_COMPLETIONS,
                    ErasureCompletion.json(request.erasureRequestId, mpid, ErasureCompletion.NOT_FOUND, at, 0));
            return null;
        }
        List<MembershipDelta> removes = evaluator.removeAll(mpid, p, at, Reason.ERASURE);
        emit(removes);
        if (p.timerAt != NO_TIMER) {
            deleteTimer(p.timerAt);
        }
        sideOut.collect(UserAudiencesOperator.ERASURE_COMPLETIONS,
                ErasureCompletion.json(request.erasureRequestId, mpid, ErasureCompletion.COMPLETED, at, removes.size()));
        return null;
    }

    /**
     * Keeps exactly one timer per user: at the next instant a membership may flip.
     *
     * @param lookAhead whether to pass over the edges that flip nothing (see ProfileEvaluator#nextInstant):
     *     after a timer, not after a batch
     */
    void schedule(UserProfile p, long at, boolean lookAhead) throws Exception {
        arm(p, at, p == null ? Long.MAX_VALUE : evaluator.nextInstant(p, at, lookAhead));
    }

    /**
     * The user's timer at {@code at} fired and no batch is due then: evaluates the user there and
     * arms the next timer, as {@link #evaluateAt} and {@code schedule(p, at, true)} do, with one
     * walk of the series.
     */
    UserProfile fire(UserProfile p, long mpid, long at) throws Exception {
        if (expiresAt(p, mpid, at)) {
            return null;
        }
        List<MembershipDelta> deltas = new ArrayList<>();
        long next = evaluator.fire(mpid, p, at, deltas);
        emit(deltas);
        arm(p, at, next);
        return p;
    }

    /** Moves the user's one timer to {@code next} (Long.MAX_VALUE: none). */
    private void arm(UserProfile p, long at, long next) throws Exception {
        Long until = settings.untilMs();
        if (next == Long.MAX_VALUE || (until != null && next > until)) {
            next = NO_TIMER;
        }
        long current = p == null ? NO_TIMER : p.timerAt;
        if (current == next) {
            return;
        }
        if (current != NO_TIMER && current > at) {
            deleteTimer(current);
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

    private void deleteTimer(long at) throws Exception {
        if (settings.timeMode() == TimeMode.PROCESSING) {
            timers.deleteProcessingTimeTimer(at);
        } else if (pending == null || !pending.contains(at)) {
            // A pending batch shares the timer of its instant; it must still fire.
            timers.deleteEventTimeTimer(at);
        }
    }

    private void emit(List<MembershipDelta> deltas) {
        for (MembershipDelta d : deltas) {
            metrics.onDelta(d);
            out.accept(d);
        }
        counters.deltas().inc(deltas.size());
    }
}
