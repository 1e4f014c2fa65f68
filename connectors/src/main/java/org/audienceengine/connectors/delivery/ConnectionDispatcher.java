package org.audienceengine.connectors.delivery;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Delivery for one connection: ordering, batching, concurrency, rate, retries, dead letters and
 * fault state. All state is guarded by {@code this}; HTTP sends, future completions and listener
 * calls happen after the lock is released, so user code never runs under it.
 *
 * <p>Ordering: a key is <em>busy</em> from the moment one of its changes becomes ready until that
 * change is delivered or dead-lettered; later changes of the key wait in {@link #waiting} and
 * become ready one at a time. Only ready changes are batched, so a batch never holds two changes
 * of one key, and a retried (or held) batch keeps its keys busy until it ends.
 */
final class ConnectionDispatcher {

    private static final class Item {
        final AudienceChange change;
        final String key;
        final CompletableFuture<DeliveryResult> future = new CompletableFuture<>();
        /** When it became ready: a partial batch waits at most max_wait_ms from its oldest change. */
        long readyAt;

        Item(AudienceChange change, String key, long readyAt) {
            this.change = change;
            this.key = key;
            this.readyAt = readyAt;
        }
    }

    private static final class Batch {
        final List<Item> items;
        PartnerRequest request;
        int attempts;
        long firstSentAt = -1;

        Batch(List<Item> items) {
            this.items = items;
        }

        List<String> deltaIds() {
            List<String> ids = new ArrayList<>(items.size());
            items.forEach(i -> ids.add(i.change.deltaId));
            return ids;
        }
    }

    private static final long RATE_SLACK_MS = 250;

    private final String id;
    private final PartnerOutput output;
    private final RetryPolicy policy;
    private final Set<Long> audiences;
    private final String environment;
    private final HttpTransport http;
    private final ScheduledExecutorService scheduler;
    private final DeliveryListener listener;
    private final RateLimiter rateLimiter;

    /** Busy keys → their changes not yet ready (a busy key with nothing waiting maps to an empty deque). */
    private final Map<String, ArrayDeque<Item>> waiting = new HashMap<>();
    private final ArrayDeque<Item> ready = new ArrayDeque<>();
    /** Batches to (re)send before new ones: backoff over, rate-limited, or held by a fault. */
    private final ArrayDeque<Batch> due = new ArrayDeque<>();
    private int inFlight;
    private boolean faulted;
    private boolean closed;
    private int consecutivePermanent;
    private long flushAt = Long.MAX_VALUE;
    private boolean wakeScheduled;
    private long delivered, unmatched, filtered, deadLettered, requests, retries;
    private int pending;

    ConnectionDispatcher(String id, PartnerOutput output, RetryPolicy policy, Set<Long> audiences, String environment,
                         HttpTransport http, ScheduledExecutorService scheduler, DeliveryListener listener) {
        this.id = id;
        this.output = output;
        this.policy = policy;
        this.audiences = Set.copyOf(audiences);
        this.environment = environment;
        this.http = http;
        this.scheduler = scheduler;
        this.listener = listener;
        // The partner counts a request when it arrives, we when it leaves: a first request slowed by
        // connection set-up would otherwise leave a later one inside the partner's window.
        this.rateLimiter = output.requestsPer3s() > 0 ? new RateLimiter(output.requestsPer3s(), 3_000 + RATE_SLACK_MS) : null;
    }

    CompletableFuture<DeliveryResult> submit(AudienceChange change) {
        if (!audiences.contains(change.audienceId)
                || (environment != null && change.environment != null && !environment.equals(change.environment))) {
            synchronized (this) {
                filtered++;
            }
            return CompletableFuture.completedFuture(DeliveryResult.skipped(DeliveryResult.Status.SKIPPED_FILTERED, change.deltaId));
        }
        String key = output.orderingKey(change);
        if (key == null) {
            synchronized (this) {
                unmatched++;
            }
            return CompletableFuture.completedFuture(DeliveryResult.skipped(DeliveryResult.Status.SKIPPED_UNMATCHED, change.deltaId));
        }
        Item item;
        List<Batch> toSend;
        synchronized (this) {
            pending++;
            item = new Item(change, key, now());
            ArrayDeque<Item> queue = waiting.get(key);
            if (queue != null) {
                queue.addLast(item);
                return item.future;
            }
            waiting.put(key, new ArrayDeque<>());
            ready.addLast(item);
            toSend = pump();
        }
        send(toSend);
        return item.future;
    }

    /** Forms the batches that may go now; the caller holds the lock and sends them after releasing it. */
    private List<Batch> pump() {
        List<Batch> out = new ArrayList<>();
        if (faulted || closed) {
            return out;
        }
        long now = now();
        while (inFlight < output.maxConcurrency()) {
            Batch b = due.pollFirst();
            if (b == null) {
                if (ready.isEmpty()) {
                    break;
                }
                long fullAt = ready.peekFirst().readyAt + output.maxWaitMs();
                if (ready.size() < output.maxBatch() && now < fullAt) {
                    wakeAt(fullAt, now);
                    break;
                }
                List<Item> items = new ArrayList<>();
                while (items.size() < output.maxBatch() && !ready.isEmpty()) {
                    items.add(ready.pollFirst());
                }
                b = new Batch(items);
            }
            if (rateLimiter != null) {
                long waitMs = rateLimiter.tryAcquire(now);
                if (waitMs > 0) {
                    due.addFirst(b);
                    wakeAt(now + waitMs, now);
                    break;
                }
            }
            if (b.request == null) {
                b.request = output.request(b.items.stream().map(i -> i.change).toList());
            }
            if (b.firstSentAt < 0) {
                b.firstSentAt = now;
            }
            b.attempts++;
            inFlight++;
            requests++;
            out.add(b);
        }
        return out;
    }

    /** One timer at a time: the earliest moment a partial batch is due or a rate token frees. */
    private void wakeAt(long at, long now) {
        if (wakeScheduled && flushAt <= at) {
            return;
        }
        wakeScheduled = true;
        flushAt = at;
        schedule(this::wake, Math.max(0, at - now));
    }

    private void schedule(Runnable task, long delayMs) {
        try {
            scheduler.schedule(task, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing: nothing more goes out, and the held changes live on in the operator's state
        }
    }

    private void wake() {
        List<Batch> toSend;
        synchronized (this) {
            wakeScheduled = false;
            flushAt = Long.MAX_VALUE;
            toSend = pump();
        }
        send(toSend);
    }

    private void send(List<Batch> batches) {
        for (Batch b : batches) {
            http.send(b.request, policy.timeoutMs()).thenAccept(reply -> onReply(b, reply));
        }
    }

    private void onReply(Batch b, HttpTransport.Reply reply) {
        Outcome outcome = reply.status() == 0 ? Outcome.RETRYABLE
                : ResponseClassifier.classify(output.kind(), b.request.method(), reply.status(), reply.body());
        List<Runnable> after = new ArrayList<>();
        List<Batch> toSend;
        synchronized (this) {
            inFlight--;
            switch (outcome) {
                case SUCCESS -> {
                    consecutivePermanent = 0;
                    delivered += b.items.size();
                    finish(b, i -> DeliveryResult.delivered(i.change.deltaId, b.attempts), after);
                }
                case RETRYABLE -> {
                    long delay = policy.backoffMs(b.attempts, ResponseClassifier.retryAfterMs(reply.retryAfter()));
                    if (b.attempts < policy.maxAttempts() && now() + delay - b.firstSentAt <= policy.maxRetryMs()) {
                        retries++;
                        schedule(() -> redo(b), delay);
                    } else {
                        deadLetter(b, reply, "retries exhausted after " + b.attempts + " attempts", after);
                    }
                }
                case PERMANENT -> deadLetter(b, reply, "permanent failure", after);
                case AUTH -> {
                    // Held, not dead-lettered: the change is fine, the credentials are not.
                    b.attempts = 0;
                    b.firstSentAt = -1;
                    due.addFirst(b);
                    fault("authentication refused (HTTP " + reply.status() + ")", after);
                }
            }
            toSend = pump();
        }
        after.forEach(Runnable::run);
        send(toSend);
    }

    private void redo(Batch b) {
        List<Batch> toSend;
        synchronized (this) {
            due.addLast(b);
            toSend = pump();
        }
        send(toSend);
    }

    private void deadLetter(Batch b, HttpTransport.Reply reply, String reason, List<Runnable> after) {
        String why = reply.error() == null ? reason : reason + " (" + reply.error() + ")";
        DeadLetter letter = DeadLetter.of(id, output.kind(), b.deltaIds(), b.request, reply.status(), reply.body(),
                why, b.attempts, output.secrets());
        deadLettered += b.items.size();
        // Heard before the futures complete, so whoever sees a result can count on the listener having run.
        after.add(() -> listener.deadLettered(letter));
        consecutivePermanent++;
        if (consecutivePermanent >= policy.faultAfterFailures()) {
            fault(consecutivePermanent + " consecutive permanent failures", after);
        }
        finish(b, i -> DeliveryResult.deadLettered(i.change.deltaId, letter), after);
    }

    private void fault(String reason, List<Runnable> after) {
        if (!faulted) {
            faulted = true;
            after.add(() -> listener.faulted(id, reason));
        }
    }

    /** Completes a batch's changes (after the lock is released) and frees their keys. */
    private void finish(Batch b, Function<Item, DeliveryResult> result, List<Runnable> after) {
        for (Item i : b.items) {
            DeliveryResult r = result.apply(i);
            after.add(() -> i.future.complete(r));
            pending--;
            ArrayDeque<Item> queue = waiting.get(i.key);
            Item next = queue == null ? null : queue.pollFirst();
            if (next == null) {
                waiting.remove(i.key);
            } else {
                next.readyAt = now();
                ready.addLast(next);
            }
        }
    }

    void resume() {
        List<Batch> toSend;
        boolean was;
        synchronized (this) {
            was = faulted;
            faulted = false;
            consecutivePermanent = 0;
            // Attempts made before the fault do not count against the budget after it.
            for (Batch b : due) {
                b.attempts = 0;
                b.firstSentAt = -1;
            }
            toSend = pump();
        }
        if (was) {
            listener.resumed(id);
        }
        send(toSend);
    }

    synchronized boolean isFaulted() {
        return faulted;
    }

    synchronized long unmatched() {
        return unmatched;
    }

    synchronized ConnectionStats stats() {
        return new ConnectionStats(id, faulted, delivered, unmatched, filtered, deadLettered, requests, retries,
                inFlight, pending);
    }

    synchronized void close() {
        closed = true;
    }

    private static long now() {
        return System.nanoTime() / 1_000_000;
    }
}
