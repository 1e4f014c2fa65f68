package org.audienceengine.ingest;

/**
 * A batch that passed validation, keyed by its mpid and stamped with its batch time. It carries
 * the raw payload rather than the parsed {@link Batch} so that it needs no custom serializer on
 * the network and in the replay buffer; the keyed operator parses it again.
 */
public class IngestedBatch {
    public long mpid;
    public long batchTime;
    public long order;
    public Long receivedAt;
    public byte[] payload;

    public IngestedBatch() {}

    public IngestedBatch(long mpid, long batchTime, long order, Long receivedAt, byte[] payload) {
        this.mpid = mpid;
        this.batchTime = batchTime;
        this.order = order;
        this.receivedAt = receivedAt;
        this.payload = payload;
    }

    public long getMpid() {
        return mpid;
    }
}
