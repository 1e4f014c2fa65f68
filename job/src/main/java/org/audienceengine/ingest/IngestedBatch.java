package org.audienceengine.ingest;

/**
 * What reaches a user's profile, keyed by mpid: a batch that passed validation, stamped with its
 * batch time, or an erasure request for the user ({@link #erasureRequestId} set, no payload). A
 * batch carries the raw payload rather than the parsed {@link Batch} so that it needs no custom
 * serializer on the network and in the replay buffer; the keyed operator parses it again.
 */
public class IngestedBatch {
    public long mpid;
    /** Batch time; for an erasure request, the time it was received. */
    public long batchTime;
    public long order;
    public Long receivedAt;
    public byte[] payload;
    /** Set when this is an erasure request rather than a batch. */
    public String erasureRequestId;

    public IngestedBatch() {}

    public IngestedBatch(long mpid, long batchTime, long order, Long receivedAt, byte[] payload) {
        this.mpid = mpid;
        this.batchTime = batchTime;
        this.order = order;
        this.receivedAt = receivedAt;
        this.payload = payload;
    }

    public static IngestedBatch erasure(long mpid, String requestId, long receivedAt, long order) {
        IngestedBatch request = new IngestedBatch(mpid, receivedAt, order, receivedAt, null);
        request.erasureRequestId = requestId;
        return request;
    }

    public boolean isErasure() {
        return erasureRequestId != null;
    }

    public long getMpid() {
        return mpid;
    }
}
