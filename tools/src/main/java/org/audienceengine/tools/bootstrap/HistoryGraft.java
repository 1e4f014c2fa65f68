package org.audienceengine.tools.bootstrap;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

import org.audienceengine.definitions.Audience;
import org.audienceengine.definitions.AudienceSet;
import org.audienceengine.evaluation.ProfileEvaluator;
import org.audienceengine.ingest.IngestedBatch;
import org.audienceengine.profile.ProfileCodec;
import org.audienceengine.profile.UserHistory;
import org.audienceengine.profile.UserProfile;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.LongStream;

/**
 * Per user, in batch execution (each user's state and history arrive together, and the timer at
 * the end of time fires once they are all in): the user's history up to the state's time run
 * through the job's steps with the new document ({@link UserHistory}), and what only the new
 * audiences read taken from that run into the stored profile — the series they need that the
 * live ones do not keep (or keep shorter), and their memberships with seq and since. The rest of
 * the profile stays as the job left it. Users with history but no state (expired, erased, never
 * applied) stay out, as they are out of the job.
 */
final class HistoryGraft extends KeyedCoProcessFunction<Long, StoredUser, IngestedBatch, StoredUser> {
    private static final long serialVersionUID = 1L;
    /** As the job writes "no timer" in a profile. */
    private static final long NO_TIMER = Long.MIN_VALUE;

    private final AudienceSet proposed;
    private final Set<Long> series;
    private final Set<Integer> audiences;
    private final long until;
    private final long lifetimeMs;
    private final boolean eventTime;
    private transient ValueState<StoredUser> stored;
    private transient ListState<IngestedBatch> history;
    private transient ProfileEvaluator evaluator;
    /** By definitions epoch: a new profile takes the epoch of the run that made it. */
    private transient Map<Integer, UserHistory> runs;

    HistoryGraft(AudienceSet proposed, Set<Long> series, Set<Integer> audiences, long until, long lifetimeMs, boolean eventTime) {
        this.proposed = proposed;
        this.series = Set.copyOf(series);
        this.audiences = Set.copyOf(audiences);
        this.until = until;
        this.lifetimeMs = lifetimeMs;
        this.eventTime = eventTime;
    }

    @Override
    public void open(OpenContext context) {
        stored = getRuntimeContext().getState(new ValueStateDescriptor<>("stored", TypeInformation.of(StoredUser.class)));
        history = getRuntimeContext().getListState(new ListStateDescriptor<>("history", TypeInformation.of(IngestedBatch.class)));
        evaluator = new ProfileEvaluator(proposed, lifetimeMs, !eventTime);
        runs = new HashMap<>();
    }

    @Override
    public void processElement1(StoredUser user, Context ctx, Collector<StoredUser> out) throws Exception {
        stored.update(user);
        ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
    }

    @Override
    public void processElement2(IngestedBatch batch, Context ctx, Collector<StoredUser> out) throws Exception {
        history.add(batch);
        ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<StoredUser> out) throws Exception {
        StoredUser user = stored.value();
        if (user == null) {
            return;
        }
        if (user.profile != null) {
            UserProfile p = ProfileCodec.decode(user.profile);
            List<IngestedBatch> applied = new ArrayList<>();
            for (IngestedBatch b : history.get()) {
                // What the job applied to this profile: from its creation up to the state's time.
                if (!b.isErasure() && b.batchTime >= p.createdAt && b.batchTime <= until) {
                    applied.add(b);
                }
            }
            graft(user.mpid, p, applied);
            long next = evaluator.nextInstant(p, until, true);
            p.timerAt = next == Long.MAX_VALUE ? NO_TIMER : next;
            user.profile = ProfileCodec.encode(p);
            if (p.timerAt != NO_TIMER) {
                if (eventTime) {
                    user.eventTimers = with(user.eventTimers, p.timerAt);
                } else {
                    user.processingTimers = with(user.processingTimers, p.timerAt);
                }
            }
        }
        out.collect(user);
    }

    private void graft(long mpid, UserProfile p, List<IngestedBatch> applied) throws Exception {
        UserProfile replayed = applied.isEmpty() ? null
                : runs.computeIfAbsent(p.definitionsEpoch, epoch -> new UserHistory(proposed, lifetimeMs, epoch))
                        .run(mpid, applied, until);
        // From a user's first batch the run is the job's; from a later start (the events topic from
        // the longest window on) its series still hold every event in the windows at the resume.
        if (replayed != null) {
            for (long key : series) {
                if (replayed.series.containsKey(key)) {
                    p.series.put(key, replayed.series.get(key));
                }
            }
            for (int id : audiences) {
                if (replayed.memberships.has(id)) {
                    long since = replayed.memberships.since(id);
                    p.memberships.put(id, replayed.memberships.seq(id), since == UserProfile.UNKNOWN ? until : since);
                }
            }
            return;
        }
        // No history for this profile: the new audiences as its state says now.
        boolean[] members = evaluator.memberships(p, until);
        List<Audience> order = proposed.inEvaluationOrder();
        for (int i = 0; i < members.length; i++) {
            if (members[i] && audiences.contains(order.get(i).id())) {
                p.memberships.put(order.get(i).id(), 1, until);
            }
        }
    }

    private static long[] with(long[] times, long time) {
        return LongStream.concat(LongStream.of(times), LongStream.of(time)).distinct().sorted().toArray();
    }
}
