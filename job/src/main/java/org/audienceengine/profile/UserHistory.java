package org.audienceengine.profile;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.streaming.api.TimerService;

import org.audienceengine.config.EngineSettings;
import org.audienceengine.config.TimeMode;
import org.audienceengine.definitions.Audience;
import org.audienceengine.definitions.AudienceSet;
import org.audienceengine.deltas.MembershipDelta;
import org.audienceengine.evaluation.ProfileEvaluator;
import org.audienceengine.ingest.IngestedBatch;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One user's batches run through the job's own steps ({@link UserSteps}) in memory, as the
 * profiles operator runs them in event time: in batch-time order (ties in input order), each
 * instant before a batch evaluated first, then every instant up to the end. For tools that
 * rebuild a user's state from history (bootstrap); the profile it ends with is the one the job
 * would hold. One instance runs one user at a time (a run starts afresh).
 */
public final class UserHistory {
    private final UserSteps steps;
    private final List<MembershipDelta> deltas = new ArrayList<>();

    public UserHistory(AudienceSet set, long profileLifetimeMs, int definitionsEpoch) {
        EngineSettings settings = EngineSettings.builder(set.sourceJson()).timeMode(TimeMode.EVENT)
                .profileLifetimeMs(profileLifetimeMs).build();
        MembershipMetrics metrics = new MembershipMetrics(new UnregisteredMetricsGroup(), 1, KeyGroupRange.of(0, 0), () -> 0L);
        metrics.register(set.inEvaluationOrder().stream().map(Audience::id).toList());
        steps = new UserSteps(settings, NO_TIMERS, null, new UserSteps.Counters(new SimpleCounter(), new LongCounter(),
                new SimpleCounter(), new SimpleCounter(), new LongCounter()), metrics, deltas::add, new Ignored());
        steps.use(new ProfileEvaluator(set, profileLifetimeMs, false), null, DefinitionsInForce.fixed(set, definitionsEpoch));
    }

    /** The profile after {@code batches} and every instant up to {@code until}; null if erased or expired by then. */
    public UserProfile run(long mpid, List<IngestedBatch> batches, long until) throws Exception {
        deltas.clear();
        List<IngestedBatch> ordered = new ArrayList<>(batches);
        ordered.sort(Comparator.<IngestedBatch>comparingLong(b -> b.batchTime).thenComparingLong(b -> b.order));
        UserProfile p = null;
        for (int i = 0; i < ordered.size(); ) {
            long at = ordered.get(i).batchTime;
            p = steps.catchUp(p, mpid, at);
            for (; i < ordered.size() && ordered.get(i).batchTime == at; i++) {
                p = steps.applyOrErase(ordered.get(i), p, mpid, at);
            }
            steps.schedule(p, at, false);
        }
        return steps.catchUp(p, mpid, until);
    }

    /** The deltas of the last run, in order. */
    public List<MembershipDelta> deltas() {
        return deltas;
    }

    /** Timers live in the profile ({@code timerAt}) here; there is no timer service to arm. */
    private static final TimerService NO_TIMERS = new TimerService() {
        @Override
        public long currentProcessingTime() {
            return Long.MIN_VALUE;
        }

        @Override
        public long currentWatermark() {
            return Long.MIN_VALUE;
        }

        @Override
        public void registerProcessingTimeTimer(long time) {}

        @Override
        public void registerEventTimeTimer(long time) {}

        @Override
        public void deleteProcessingTimeTimer(long time) {}

        @Override
        public void deleteEventTimeTimer(long time) {}
    };

    /** Dead letters and erasure completions of a replayed history are the job's business, not a tool's. */
    private static final class Ignored implements UserSteps.SideOutput {
        @Override
        public <T> void collect(org.apache.flink.util.OutputTag<T> tag, T value) {}
    }
}
