package org.audienceengine.connectors.delivery;

import java.util.List;

/**
 * The partner-specific half of delivery: which identity a partner keys users by, how changes
 * batch, and the exact request for a batch. Pure mapping, no I/O: the job's delivery operator
 * does desired state, ordering, concurrency, batching, retries and fault state the same way for
 * every output.
 */
public interface PartnerOutput {

    /** The output kind as in the connections document ({@code mailchimp}, …). */
    String kind();

    /**
     * The partner member a change is about: at most one call per member is in flight, always
     * carrying the member's latest state; different members may go concurrently or share a
     * batch. Null when the user has no identity this output accepts (the change is unmatched).
     */
    String orderingKey(AudienceChange change);

    /**
     * True when the partner keeps one state per member for all the connection's audiences (a
     * Mailchimp list: subscribed while in any audience); false when each audience is its own
     * partner state (a Braze attribute, a webhook audience).
     */
    default boolean unionOfAudiences() {
        return false;
    }

    /** Most changes in one request (1 = no batching). */
    int maxBatch();

    /** How long a partial batch may wait for more changes, in ms. */
    long maxWaitMs();

    /** Most requests in flight at once for the connection. */
    int maxConcurrency();

    /** Requests allowed per 3 s, or 0 for no client-side rate limit. */
    int requestsPer3s();

    /** The request for a batch of changes with pairwise different ordering keys. */
    PartnerRequest request(List<AudienceChange> batch);

    /** The secrets the output was given, so that dead letters can mask them. */
    List<Secret> secrets();
}
