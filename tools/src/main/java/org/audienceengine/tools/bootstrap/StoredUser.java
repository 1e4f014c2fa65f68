package org.audienceengine.tools.bootstrap;

import org.audienceengine.ingest.IngestedBatch;

/**
 * Everything the profiles operator keeps for one user, as read from a savepoint and written to
 * the next: the profile value, the batches waiting for event time, and the armed timers (a POJO:
 * Flink serializes it without Kryo).
 */
public class StoredUser {
    public long mpid;
    public byte[] profile;
    public IngestedBatch[] pending = new IngestedBatch[0];
    public long[] eventTimers = new long[0];
    public long[] processingTimers = new long[0];

    public StoredUser() {}
}
