package org.audienceengine.delivery;

import com.fasterxml.jackson.databind.JsonNode;

import org.audienceengine.connectors.delivery.PartnerOutput;
import org.audienceengine.connectors.delivery.RateLimiter;
import org.audienceengine.connectors.delivery.RetryPolicy;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;

/**
 * The in-memory schedule of one connection in one delivery instance: members waiting for a
 * call, calls in flight and waiting to be retried, the pause after a retryable failure, and the
 * fault. Touched only by the task thread. Everything here can be rebuilt from keyed state (the
 * pending members) and the faulted flag (operator union state), which is why none of it is
 * checkpointed.
 */
final class ConnectionLane {

    /** A member waiting for a call, and since when (a partial batch waits at most max_wait_ms). */
    record Queued(String key, long at) {}

    final String id;
    final String kind;
    final JsonNode settings;
    final RetryPolicy policy;
    /** This instance's share of the account's max_concurrency. */
    final int concurrency;
    /** This instance's share of the account's rate (requests per 3 s), or null for none. */
    final RateLimiter rate;
    PartnerOutput output;

    final ArrayDeque<Queued> queue = new ArrayDeque<>();
    final Set<String> queued = new HashSet<>();
    /** Members in a call in flight or waiting to be retried: never in two calls at once. */
    final Set<String> busy = new HashSet<>();
    final ArrayDeque<OutgoingCall> retries = new ArrayDeque<>();
    int inFlight;
    long pausedUntil;
    int consecutivePermanent;
    boolean faulted;
    /** The earliest wake-up already scheduled, or Long.MAX_VALUE. */
    long wakeAt = Long.MAX_VALUE;
    /** Members of this instance with something the partner does not hold yet (the held gauge). */
    long pendingMembers;

    ConnectionLane(String id, String kind, JsonNode settings, PartnerOutput output, int concurrency, RateLimiter rate) {
        this.id = id;
        this.kind = kind;
        this.settings = settings;
        this.policy = RetryPolicy.from(settings);
        this.output = output;
        this.concurrency = concurrency;
        this.rate = rate;
    }

    /** Queues a member for a call; false when it is already queued or in a call, or the lane is faulted. */
    boolean enqueue(String key, long now) {
        if (faulted || busy.contains(key) || !queued.add(key)) {
            return false;
        }
        queue.addLast(new Queued(key, now));
        return true;
    }

    /** Still something to send or to hear back (a faulted lane holds, it does not work). */
    boolean hasWork() {
        return !faulted && (inFlight > 0 || !queue.isEmpty() || !retries.isEmpty());
    }

    /** Faults the lane: nothing is sent until resume; the members stay pending in keyed state. */
    void fault() {
        faulted = true;
        queue.clear();
        queued.clear();
        for (OutgoingCall call : retries) {
            call.keys.forEach(busy::remove);
        }
        retries.clear();
    }

    /** Lifts the fault with a fresh budget; the operator queues the pending members again. */
    void resume(PartnerOutput freshOutput) {
        faulted = false;
        consecutivePermanent = 0;
        pausedUntil = 0;
        output = freshOutput;
    }

    /** This instance's share of an account-wide limit: the shares of all instances add up to it. */
    static int share(int accountLimit, int subtask, int parallelism) {
        int base = accountLimit / parallelism;
        int share = base + (subtask < accountLimit % parallelism ? 1 : 0);
        // More instances than the limit: each still needs one to make progress.
        return Math.max(1, share);
    }
}
