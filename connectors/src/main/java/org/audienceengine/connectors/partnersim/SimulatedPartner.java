package org.audienceengine.connectors.partnersim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;

/**
 * One simulated partner API. {@link PartnerHandler} does what every partner shares (counting,
 * fault injection, the test hook); a subclass only routes, limits, authenticates and applies.
 */
abstract class SimulatedPartner {

    /** A concurrency slot held for the duration of one request. */
    interface Admission {
        Admission NONE = () -> {};

        void release();
    }

    /** The partner's name in counters and in the state document, e.g. {@code braze}. */
    abstract String name();

    /** The path prefix this partner is served under, e.g. {@code /braze/}. */
    abstract String contextPath();

    /**
     * The name the request is counted under (such as {@code mailchimp_member_put}), or null when
     * the path names nothing this partner serves, which is answered 404 without injecting faults.
     */
    abstract String endpoint(HttpExchange ex);

    /**
     * Takes a concurrency slot for the request, before faults are drawn, because a request held
     * by a slow fault still occupies a connection at a real partner. Returns null after answering
     * the request itself when the limit is reached.
     */
    Admission admit(HttpExchange ex, Counters counters) throws IOException {
        return Admission.NONE;
    }

    /** Authenticates, validates and applies the request, and answers it. */
    abstract void serve(HttpExchange ex) throws IOException;

    /** Answers with an error body shaped like this partner's own. */
    abstract void sendError(HttpExchange ex, int status, String title, String detail) throws IOException;

    /** Adds this partner's state to the state document. */
    abstract void writeState(ObjectNode root);

    /** Forgets all partner state (not requests in flight). */
    abstract void clear();
}
