package org.audienceengine.connectors.partnersim;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.IOException;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What every simulated partner does around its own logic: count the request, take a
 * concurrency slot, let a test hold the request, then either inject a fault — always before
 * anything is applied, so a failed call never changes partner state — or let the partner serve.
 */
final class PartnerHandler implements HttpHandler {

    /** Draws faults from one seeded sequence shared by all partners of a simulator. */
    static final class FaultInjector {
        record Decision(FaultSpec.Kind kind, double position, long slowMs) {}

        private FaultSpec spec = FaultSpec.NONE;
        private SplittableRandom random = new SplittableRandom();

        synchronized void set(FaultSpec spec) {
            this.spec = spec;
            this.random = spec.seed() == null ? new SplittableRandom() : new SplittableRandom(spec.seed());
        }

        synchronized FaultSpec spec() {
            return spec;
        }

        synchronized Decision draw() {
            if (spec.isNone()) {
                return null;
            }
            double u = random.nextDouble();
            FaultSpec.Kind kind = spec.pick(u);
            return kind == null ? null : new Decision(kind, spec.positionIn(kind, u), spec.slowMs());
        }
    }

    private final SimulatedPartner partner;
    private final Counters counters;
    private final FaultInjector faults;
    private final PartnerSimulator.RequestHook hook;
    private final CountDownLatch closing;

    PartnerHandler(SimulatedPartner partner, Counters counters, FaultInjector faults,
                   PartnerSimulator.RequestHook hook, CountDownLatch closing) {
        this.partner = partner;
        this.counters = counters;
        this.faults = faults;
        this.hook = hook;
        this.closing = closing;
    }

    @Override
    public void handle(HttpExchange ex) {
        try {
            handleOrThrow(ex);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Exchanges.drop(ex);
        } catch (Exception e) {
            if (!Exchanges.responded(ex)) {
                try {
                    partner.sendError(ex, 500, "Internal Server Error", "simulator error: " + Exchanges.firstLine(e));
                } catch (IOException | RuntimeException ignored) {
                    // the client is gone; the finally block below still releases the slot
                }
            }
        } finally {
            // A request that got no response (dropped, or its client vanished) still frees its slot.
            Exchanges.responding(ex, Counters.NO_RESPONSE);
            ex.close();
        }
    }

    private void handleOrThrow(HttpExchange ex) throws IOException, InterruptedException {
        String endpoint = partner.endpoint(ex);
        if (endpoint == null) {
            String name = partner.name() + "_not_found";
            counters.request(name);
            Exchanges.onResponse(ex, status -> counters.response(name, status));
            partner.sendError(ex, 404, "Resource Not Found",
                    "no such resource: " + ex.getRequestMethod() + " " + ex.getRequestURI().getPath());
            return;
        }
        counters.request(endpoint);
        SimulatedPartner.Admission[] slot = {SimulatedPartner.Admission.NONE};
        Exchanges.onResponse(ex, status -> {
            counters.response(endpoint, status);
            slot[0].release();
        });
        SimulatedPartner.Admission admission = partner.admit(ex, counters);
        if (admission == null) {
            return;
        }
        slot[0] = admission;
        hook.admitted(endpoint);
        FaultInjector.Decision fault = faults.draw();
        if (fault == null) {
            partner.serve(ex);
        } else {
            counters.fault(fault.kind());
            inject(ex, fault);
        }
    }

    private void inject(HttpExchange ex, FaultInjector.Decision fault) throws IOException, InterruptedException {
        drain(ex);
        switch (fault.kind()) {
            case SERVER_ERROR -> {
                boolean internal = fault.position() < 0.5;
                partner.sendError(ex, internal ? 500 : 503,
                        internal ? "Internal Server Error" : "Service Unavailable", "injected fault");
            }
            case TOO_MANY_REQUESTS -> {
                ex.getResponseHeaders().set("Retry-After", "1");
                partner.sendError(ex, 429, "Too Many Requests", "injected fault");
            }
            case TIMEOUT -> {
                // Waits on the close latch, not a bare sleep, so closing the simulator ends held requests.
                if (closing.await(fault.slowMs(), TimeUnit.MILLISECONDS)) {
                    Exchanges.drop(ex);
                } else {
                    partner.sendError(ex, 504, "Gateway Timeout", "injected fault");
                }
            }
            case DROP -> Exchanges.drop(ex);
            case AUTH -> partner.sendError(ex, 401, "API Key Invalid", "injected fault");
        }
    }

    /** Reads the body so the client has finished sending before it gets (or misses) an answer. */
    private static void drain(HttpExchange ex) throws IOException {
        try {
            Exchanges.body(ex);
        } catch (Exchanges.BadRequest tooLarge) {
            // the fault is the answer either way
        }
    }
}
