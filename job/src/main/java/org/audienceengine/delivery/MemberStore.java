package org.audienceengine.delivery;

import org.apache.flink.api.common.state.KeyedStateStore;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;

import java.io.IOException;
import java.util.List;
import java.util.stream.Stream;

/**
 * The keyed state of delivery, for the current key (the operator sets it): the member's desired
 * state, and a pending mark while the partner does not hold it yet. The marks are a state of
 * their own so that finding the pending members (after a restore, on resume) walks only them.
 */
final class MemberStore {
    private static final String PENDING = "pending";

    private final ValueState<MemberState> states;
    private final ValueState<Boolean> pending;

    MemberStore(KeyedStateStore store) {
        states = store.getState(new ValueStateDescriptor<>("member-state", TypeInformation.of(MemberState.class)));
        pending = store.getState(new ValueStateDescriptor<>(PENDING, Types.BOOLEAN));
    }

    MemberState get() throws IOException {
        return states.value();
    }

    void put(MemberState state) throws IOException {
        if (state.isEmpty()) {
            states.clear();
        } else {
            states.update(state);
        }
    }

    /** Marks the member pending; counts it in the lane's held gauge the first time. */
    void markPending(ConnectionLane lane) throws IOException {
        if (pending.value() == null) {
            pending.update(true);
            lane.pendingMembers++;
        }
    }

    void clearPending(ConnectionLane lane) throws IOException {
        if (pending.value() != null) {
            pending.clear();
            lane.pendingMembers--;
        }
    }

    /** Drops the member's state and mark altogether (its connection is gone). */
    void forget() {
        states.clear();
        pending.clear();
    }

    /** Every pending member of this instance's key groups. */
    static List<String> pendingKeys(KeyedStateBackend<String> backend) {
        try (Stream<String> keys = backend.getKeys(PENDING, VoidNamespace.INSTANCE)) {
            return keys.toList();
        }
    }
}
