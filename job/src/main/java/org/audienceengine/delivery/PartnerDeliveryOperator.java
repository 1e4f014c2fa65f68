package org.audienceengine.delivery;

import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import org.audienceengine.connectors.delivery.AudienceChange;
import org.audienceengine.connectors.delivery.DeadLetter;
import org.audienceengine.connectors.delivery.HttpTransport;
import org.audienceengine.connectors.delivery.Outcome;
import org.audienceengine.connectors.delivery.ResponseClassifier;
import org.audienceengine.connectors.delivery.SecretResolver;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;

/**
 * Partner delivery, keyed by member ({@code "<connection>|<member>"}): the desired partner state
 * of each member in keyed state ({@link MemberState}), and non-blocking HTTP calls whose replies
 * come back through the task's mailbox, as in Flink's async I/O operator, but with the state of
 * the calls kept per key rather than in a queue of records.
 *
 * <p>Why not {@code AsyncWaitOperator}: its queue holds records, so a faulted partner fills it and
 * back-pressures everything upstream; it keeps them in operator list state, which a rescale
 * hands to the wrong instance; and it cannot coalesce a member's changes. Here a record only
 * updates the member's state and marks it pending, so input never waits for a partner: a
 * faulted, slow or rate-limited connection holds at most one state per member, and checkpoints
 * complete whatever the partners do.
 *
 * <p>Recovery: pending members are marked in keyed state ({@code pending}), so after a restore
 * or a rescale each instance walks its own pending members and sends their latest state again
 * (calls are idempotent). Faulted connections are operator union state: a restore never
 * un-faults one. Input 2 carries control messages (resume), broadcast to every instance.
 */
public final class PartnerDeliveryOperator extends AbstractStreamOperator<String>
        implements TwoInputStreamOperator<AudienceChange, String, String>, BoundedMultiInput {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(PartnerDeliveryOperator.class);

    private final String connectionsJson;
    private final transient MailboxExecutor mailbox;
    private transient MemberStore members;
    private transient ListState<String> faultedState;
    private transient Set<String> restoredFaults;
    private transient Map<String, ConnectionLane> lanes;
    private transient Map<String, DeliveryMetrics> metrics;
    private transient SecretResolver secrets;
    private transient HttpTransport http;
    private transient boolean draining;
    private transient boolean closed;

    PartnerDeliveryOperator(StreamOperatorParameters<String> parameters, String connectionsJson) {
        super(parameters);
        this.connectionsJson = connectionsJson;
        this.mailbox = parameters.getMailboxExecutor();
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        members = new MemberStore(context.getKeyedStateStore());
        faultedState = context.getOperatorStateStore().getUnionListState(
                new ListStateDescriptor<>("faulted-connections", Types.STRING));
        restoredFaults = new HashSet<>();
        faultedState.get().forEach(restoredFaults::add);
    }

    @Override
    public void open() throws Exception {
        super.open();
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        int parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        secrets = SecretResolver.system();
        lanes = ConnectionLanes.build(connectionsJson, secrets, subtask, parallelism);
        metrics = new HashMap<>();
        long longestTimeout = 1_000;
        for (ConnectionLane lane : lanes.values()) {
            metrics.put(lane.id, new DeliveryMetrics(getMetricGroup(), getRuntimeContext(), lane));
            longestTimeout = Math.max(longestTimeout, lane.policy.timeoutMs());
            if (restoredFaults.contains(lane.id)) {
                fault(lane, "restored");
            }
            if (parallelism > lane.output.maxConcurrency()) {
                LOG.warn("Connection {}: parallelism {} exceeds its max_concurrency {}; each instance keeps one call in flight",
                        lane.id, parallelism, lane.output.maxConcurrency());
            }
        }
        http = new HttpTransport(longestTimeout);
        // Members pending at the snapshot (in flight, queued, held) go again, with their latest state.
        requeuePending(null);
        long now = now();
        lanes.values().forEach(lane -> wake(lane, now));
    }

    @Override
    public void processElement1(StreamRecord<AudienceChange> element) throws Exception {
        AudienceChange change = element.getValue();
        ConnectionLane lane = lanes.get(change.connectionId);
        if (lane == null) {
            return; // not a partner connection of this document (routing filtered already)
        }
        MemberState state = members.get();
        if (state == null) {
            state = new MemberState();
        }
        if (!state.apply(change)) {
            return;
        }
        members.put(state);
        if (!state.toSend(lane.output.unionOfAudiences()).isEmpty()) {
            members.markPending(lane);
            lane.enqueue(change.memberKey, now());
            pump(lane);
        }
    }

    @Override
    public void processElement2(StreamRecord<String> element) throws Exception {
        ControlMessages.Control control = ControlMessages.parse(element.getValue());
        ConnectionLane lane = control == null ? null : lanes.get(control.connection());
        if (lane == null) {
            return;
        }
        boolean wasFaulted = lane.faulted;
        try {
            lane.resume(ConnectionLanes.output(lane.id, lane.kind, lane.settings, secrets));
        } catch (IllegalArgumentException e) {
            LOG.warn("Connection {} not resumed: {}", lane.id, e.getMessage());
            return;
        }
        LOG.info("Connection {} resumed{}", lane.id, wasFaulted ? "" : " (it was not faulted)");
        requeuePending(lane);
        pump(lane);
    }

    /** Queues every pending member of {@code only} (or of every lane), walking the pending marks. */
    private void requeuePending(ConnectionLane only) throws Exception {
        List<String> keys = MemberStore.pendingKeys(this.<String>getKeyedStateBackend());
        Map<String, Long> counts = new HashMap<>();
        long now = now();
        for (String key : keys) {
            String id = key.substring(0, key.indexOf('|'));
            ConnectionLane lane = lanes.get(id);
            if (lane == null) {
                // A connection no longer in the document: nothing will deliver it, so nothing is kept.
                setCurrentKey(key);
                members.forget();
                continue;
            }
            if (only == null || only == lane) {
                counts.merge(id, 1L, Long::sum);
                lane.enqueue(key, now);
            }
        }
        for (ConnectionLane lane : lanes.values()) {
            if (only == null || only == lane) {
                lane.pendingMembers = counts.getOrDefault(lane.id, 0L);
            }
        }
    }

    /** Sends what may go now: retries first, then full batches (or partial ones past max_wait_ms). */
    private void pump(ConnectionLane lane) throws Exception {
        while (!lane.faulted && !closed && lane.inFlight < lane.concurrency) {
            long now = now();
            if (now < lane.pausedUntil) {
                wake(lane, lane.pausedUntil);
                return;
            }
            OutgoingCall call = lane.retries.peekFirst();
            if (call == null) {
                if (lane.queue.isEmpty()) {
                    return;
                }
                long fullAt = lane.queue.peekFirst().at() + lane.output.maxWaitMs();
                if (!draining && lane.queue.size() < lane.output.maxBatch() && now < fullAt) {
                    wake(lane, fullAt);
                    return;
                }
                call = formCall(lane);
                if (call == null) {
                    continue;
                }
                lane.retries.addFirst(call);
            }
            if (lane.rate != null) {
                long waitMs = lane.rate.tryAcquire(now);
                if (waitMs > 0) {
                    wake(lane, now + waitMs);
                    return;
                }
            }
            lane.retries.pollFirst();
            send(lane, call, now);
        }
    }

    /** Takes queued members into one call, each with its latest state; null if none needed a call. */
    private OutgoingCall formCall(ConnectionLane lane) throws Exception {
        OutgoingCall call = new OutgoingCall();
        boolean union = lane.output.unionOfAudiences();
        while (!lane.queue.isEmpty() && call.size() < lane.output.maxBatch()) {
            String key = lane.queue.peekFirst().key();
            setCurrentKey(key);
            MemberState state = members.get();
            List<AudienceChange> changes = state == null ? List.of() : state.toSend(union);
            if (!call.keys.isEmpty() && call.size() + changes.size() > lane.output.maxBatch()) {
                break;
            }
            lane.queue.pollFirst();
            lane.queued.remove(key);
            if (changes.isEmpty()) {
                members.clearPending(lane);
                continue;
            }
            lane.busy.add(key);
            call.add(key, changes.size() > lane.output.maxBatch() ? changes.subList(0, lane.output.maxBatch()) : changes);
        }
        if (call.keys.isEmpty()) {
            return null;
        }
        call.request = lane.output.request(call.changes());
        return call;
    }

    private void send(ConnectionLane lane, OutgoingCall call, long now) {
        if (call.firstSentAt < 0) {
            call.firstSentAt = now;
        }
        call.attempts++;
        call.sentAt = now;
        lane.inFlight++;
        metrics.get(lane.id).requested();
        http.send(call.request, lane.policy.timeoutMs()).thenAccept(reply -> {
            try {
                mailbox.execute(() -> onReply(lane, call, reply), "partner reply");
            } catch (RejectedExecutionException closing) {
                // The task is going away; the members are still pending in its state.
            }
        });
    }

    private void onReply(ConnectionLane lane, OutgoingCall call, HttpTransport.Reply reply) throws Exception {
        lane.inFlight--;
        if (closed) {
            return;
        }
        long now = now();
        DeliveryMetrics m = metrics.get(lane.id);
        m.call(reply.status(), now - call.sentAt);
        Outcome outcome = ResponseClassifier.classify(lane.kind, call.request.method(), reply.status(), reply.body());
        switch (outcome) {
            case SUCCESS -> {
                lane.consecutivePermanent = 0;
                m.delivered(call.size());
                settle(lane, call);
            }
            case RETRYABLE -> {
                long delay = lane.policy.backoffMs(call.attempts, ResponseClassifier.retryAfterMs(reply.retryAfter()));
                if (call.attempts < lane.policy.maxAttempts() && now + delay - call.firstSentAt <= lane.policy.maxRetryMs()) {
                    m.retried();
                    // The whole connection pauses: a partner that is down or throttling gets one
                    // probe at a time, not a retry per member.
                    lane.pausedUntil = Math.max(lane.pausedUntil, now + delay);
                    lane.retries.addLast(call);
                } else {
                    deadLetter(lane, call, reply, "retries exhausted after " + call.attempts + " attempts");
                }
            }
            case PERMANENT -> deadLetter(lane, call, reply, "permanent failure");
            case AUTH -> {
                call.keys.forEach(lane.busy::remove);
                fault(lane, "authentication refused, HTTP " + reply.status());
            }
        }
        pump(lane);
    }

    private void deadLetter(ConnectionLane lane, OutgoingCall call, HttpTransport.Reply reply, String reason) throws Exception {
        String why = reply.error() == null ? reason : reason + " (" + reply.error() + ")";
        DeadLetter letter = DeadLetter.of(lane.id, lane.kind, call.deltaIds(), call.request, reply.status(), reply.body(),
                why, call.attempts, lane.output.secrets());
        output.collect(new StreamRecord<>(letter.toJson()));
        metrics.get(lane.id).deadLettered();
        // Given up: the dead letter and its re-drive carry it from here.
        settle(lane, call);
        lane.consecutivePermanent++;
        if (lane.consecutivePermanent >= lane.policy.faultAfterFailures()) {
            fault(lane, lane.consecutivePermanent + " consecutive permanent failures");
        }
    }

    private static void fault(ConnectionLane lane, String why) {
        if (!lane.faulted) {
            lane.fault();
            LOG.warn("Connection {} is faulted ({}); its members are held until it is resumed", lane.id, why);
        }
    }

    /** Records what a call carried as held by the partner; members changed meanwhile go again. */
    private void settle(ConnectionLane lane, OutgoingCall call) throws Exception {
        boolean union = lane.output.unionOfAudiences();
        long now = now();
        for (int i = 0; i < call.keys.size(); i++) {
            String key = call.keys.get(i);
            lane.busy.remove(key);
            setCurrentKey(key);
            MemberState state = members.get();
            if (state == null) {
                continue;
            }
            state.acknowledge(union, call.sent.get(i));
            members.put(state);
            if (state.toSend(union).isEmpty()) {
                members.clearPending(lane);
            } else {
                lane.enqueue(key, now);
            }
        }
    }

    /** One wake-up per lane at a time, at the earliest moment something may go. */
    private void wake(ConnectionLane lane, long at) {
        if (lane.wakeAt <= at) {
            return;
        }
        lane.wakeAt = at;
        getProcessingTimeService().registerTimer(at, t -> {
            if (lane.wakeAt == at) {
                lane.wakeAt = Long.MAX_VALUE;
            }
            pump(lane);
        });
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        faultedState.update(lanes.values().stream().filter(l -> l.faulted).map(l -> l.id).toList());
    }

    /**
     * End of a bounded input: partial batches go at once, and the input ends only when every
     * member is delivered or dead-lettered. Faulted connections keep holding (reported as held).
     */
    @Override
    public void endInput(int inputId) throws Exception {
        if (inputId != 1) {
            return;
        }
        draining = true;
        for (ConnectionLane lane : lanes.values()) {
            pump(lane);
        }
        while (lanes.values().stream().anyMatch(ConnectionLane::hasWork)) {
            mailbox.yield();
        }
    }

    @Override
    public void close() throws Exception {
        closed = true;
        // What is held when the instance stops (end of input, stop with savepoint): for the run's summary.
        if (lanes != null) {
            for (ConnectionLane lane : lanes.values()) {
                DeliveryMetrics m = metrics.get(lane.id);
                m.count("held", lane.pendingMembers);
                m.count("faulted", lane.faulted ? 1 : 0);
            }
        }
        if (http != null) {
            http.close();
        }
        super.close();
    }

    private long now() {
        return getProcessingTimeService().getCurrentProcessingTime();
    }
}
