package org.audienceengine.delivery;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

import org.audienceengine.connectors.delivery.AudienceChange;
import org.audienceengine.connectors.delivery.DeadLetter;
import org.audienceengine.connectors.delivery.DeliveryListener;
import org.audienceengine.connectors.delivery.DeliveryResult;
import org.audienceengine.connectors.delivery.PartnerDelivery;
import org.audienceengine.connectors.delivery.SecretResolver;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collections;
import java.util.List;

/**
 * Partner calls through Flink async I/O. The delivery engine keeps each partner's order per user
 * and its retries, batching, limits and fault state; this function hands it changes and emits
 * the dead letters. Changes in flight (including those held by a faulted connection) are part of
 * the async operator's checkpointed state and are submitted again after a restore; the calls
 * being idempotent, partner state ends equal to the engine's.
 *
 * <p>Secrets are resolved here, at open, from the environment or files; they are never part of
 * the function's serialized form or of any checkpoint.
 */
public final class PartnerCallFunction extends RichAsyncFunction<AudienceChange, String> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(PartnerCallFunction.class);
    /** The action of a control record (see {@link ControlMessages}). */
    static final String RESUME = "resume";

    private final String connectionsJson;
    private transient PartnerDelivery delivery;
    /** Per connection (metric label {@code connection}): delivered, dead-lettered, unmatched. */
    private transient java.util.Map<String, Counter[]> counters;

    public PartnerCallFunction(String connectionsJson) {
        this.connectionsJson = connectionsJson;
    }

    @Override
    public void open(OpenContext context) {
        counters = new java.util.concurrent.ConcurrentHashMap<>();
        delivery = new PartnerDelivery(connectionsJson, SecretResolver.system(), new DeliveryListener() {
            @Override
            public void faulted(String connectionId, String reason) {
                LOG.warn("Connection {} is faulted ({}); its deltas are held until it is resumed", connectionId, reason);
            }

            @Override
            public void resumed(String connectionId) {
                LOG.info("Connection {} resumed", connectionId);
            }

            @Override
            public void deadLettered(DeadLetter letter) {
                // Counted when its result arrives.
            }
        });
    }

    @Override
    public void asyncInvoke(AudienceChange change, ResultFuture<String> result) {
        if (ControlMessages.isControl(change)) {
            if (RESUME.equals(change.action) && delivery.handles(change.connectionId)) {
                delivery.resume(change.connectionId);
            }
            result.complete(Collections.emptyList());
            return;
        }
        delivery.submit(change).whenComplete((outcome, failure) -> {
            if (failure != null) {
                result.completeExceptionally(failure);
            } else {
                result.complete(emit(change.connectionId, outcome));
            }
        });
    }

    private List<String> emit(String connectionId, DeliveryResult outcome) {
        Counter[] c = counters.computeIfAbsent(connectionId, id -> {
            var group = getRuntimeContext().getMetricGroup().addGroup("connection", id);
            return new Counter[] {
                group.counter("deltasDelivered"), group.counter("deltasDeadLettered"), group.counter("deltasUnmatched")
            };
        });
        switch (outcome.status()) {
            case DELIVERED -> c[0].inc();
            case DEAD_LETTERED -> {
                c[1].inc();
                return List.of(outcome.deadLetter().toJson());
            }
            default -> c[2].inc();
        }
        return Collections.emptyList();
    }

    @Override
    public void timeout(AudienceChange change, ResultFuture<String> result) {
        // Held changes wait for a resume, however long; the operator's timeout is only a bound
        // no delivery reaches (retries end at max_retry_ms).
        LOG.warn("Delivery of {} outlived the async timeout; it will be submitted again after a restore", change);
        result.completeExceptionally(new IllegalStateException("delivery timed out: " + change.deltaId));
    }

    @Override
    public void close() {
        if (delivery != null) {
            delivery.close();
        }
    }
}
