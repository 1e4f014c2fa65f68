package org.audienceengine.tools.bootstrap;

import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.state.api.SavepointWriterOperatorFactory;
import org.apache.flink.state.api.output.SnapshotUtils;
import org.apache.flink.state.api.output.TaggedOperatorSubtaskState;
import org.apache.flink.state.api.runtime.VoidTriggerable;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.SimpleOperatorFactory;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import org.audienceengine.ingest.IngestedBatch;
import org.audienceengine.profile.ProfileCodec;
import org.audienceengine.profile.UserAudiencesOperator;
import org.audienceengine.profile.UserProfile;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the whole state of the profiles operator into a new savepoint, as the job's own
 * descriptors lay it out: per user the profile, pending batches and timers (keyed state), and for
 * the operator the definitions in force (broadcast state), the event time reached, and the
 * per-key-group membership counts behind the size gauges (union state), counted from the users
 * written, so the gauges are right from the first report after the resume.
 */
final class ProfileStateWriter extends AbstractStreamOperator<TaggedOperatorSubtaskState>
        implements OneInputStreamOperator<StoredUser, TaggedOperatorSubtaskState>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    private final long timestamp;
    private final Path savepointPath;
    private final Map<String, String> definitions;
    private final long eventTimeReached;
    private transient ValueState<byte[]> profile;
    private transient MapState<Long, IngestedBatch[]> pending;
    private transient InternalTimerService<VoidNamespace> timers;
    /** Key group → id (audience, or the profiles and timers counts) → count. */
    private transient Map<Integer, Map<Integer, Long>> counts;

    private ProfileStateWriter(long timestamp, Path savepointPath, Map<String, String> definitions, long eventTimeReached) {
        this.timestamp = timestamp;
        this.savepointPath = savepointPath;
        this.definitions = new HashMap<>(definitions);
        this.eventTimeReached = eventTimeReached;
    }

    static SavepointWriterOperatorFactory factory(Map<String, String> definitions, long eventTimeReached) {
        return (timestamp, path) -> SimpleOperatorFactory.of(new ProfileStateWriter(timestamp, path, definitions, eventTimeReached));
    }

    @Override
    public void open() throws Exception {
        super.open();
        profile = getRuntimeContext().getState(UserAudiencesOperator.profileDescriptor());
        pending = getRuntimeContext().getMapState(UserAudiencesOperator.pendingDescriptor());
        timers = getInternalTimerService(UserAudiencesOperator.TIMERS, VoidNamespaceSerializer.INSTANCE, VoidTriggerable.instance());
        counts = new HashMap<>();
    }

    @Override
    public void processElement(StreamRecord<StoredUser> element) throws Exception {
        StoredUser u = element.getValue();
        if (u.profile != null) {
            profile.update(u.profile);
            count(u.mpid, ProfileCodec.decode(u.profile));
        }
        Map<Long, List<IngestedBatch>> byTime = new HashMap<>();
        for (IngestedBatch b : u.pending) {
            byTime.computeIfAbsent(b.batchTime, t -> new ArrayList<>()).add(b);
        }
        for (Map.Entry<Long, List<IngestedBatch>> e : byTime.entrySet()) {
            pending.put(e.getKey(), e.getValue().toArray(new IngestedBatch[0]));
        }
        Arrays.stream(u.eventTimers).forEach(t -> timers.registerEventTimeTimer(VoidNamespace.INSTANCE, t));
        Arrays.stream(u.processingTimers).forEach(t -> timers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, t));
    }

    private void count(long mpid, UserProfile p) {
        int keyGroup = KeyGroupRangeAssignment.assignToKeyGroup(mpid, getRuntimeContext().getTaskInfo().getMaxNumberOfParallelSubtasks());
        Map<Integer, Long> group = counts.computeIfAbsent(keyGroup, k -> new HashMap<>());
        group.merge(UserAudiencesOperator.COUNT_OF_PROFILES, 1L, Long::sum);
        if (p.timerAt != Long.MIN_VALUE) {
            group.merge(UserAudiencesOperator.COUNT_OF_TIMERS, 1L, Long::sum);
        }
        for (int i = 0; i < p.memberships.size(); i++) {
            if (p.memberships.isMemberAt(i)) {
                group.merge(p.memberships.audienceAt(i), 1L, Long::sum);
            }
        }
    }

    @Override
    public void endInput() throws Exception {
        BroadcastState<String, String> inForce = getOperatorStateBackend().getBroadcastState(UserAudiencesOperator.DEFINITIONS);
        for (Map.Entry<String, String> e : definitions.entrySet()) {
            inForce.put(e.getKey(), e.getValue());
        }
        getOperatorStateBackend().getUnionListState(UserAudiencesOperator.EVENT_TIME).update(List.of(eventTimeReached));
        getOperatorStateBackend().getUnionListState(UserAudiencesOperator.UNFINISHED).update(List.of());
        List<Tuple3<Integer, Integer, Long>> entries = new ArrayList<>();
        counts.forEach((keyGroup, byId) -> byId.forEach((id, n) -> entries.add(Tuple3.of(keyGroup, id, n))));
        getOperatorStateBackend().getUnionListState(UserAudiencesOperator.MEMBERSHIP_COUNTS).update(entries);

        Configuration job = getContainingTask().getJobConfiguration();
        TaggedOperatorSubtaskState state = SnapshotUtils.snapshot(0L, this, getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
                timestamp, CheckpointingOptions.getCheckpointingMode(job), CheckpointingOptions.isUnalignedCheckpointEnabled(job),
                getContainingTask().getConfiguration().getConfiguration(), savepointPath);
        output.collect(new StreamRecord<>(state));
    }
}
