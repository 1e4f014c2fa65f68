package org.audienceengine.tools.state;

/** One user's stored profile as read from state (a POJO: Flink serializes it without Kryo). */
public class FoundUser {
    public long mpid;
    public byte[] profile;
    /** Batches waiting for event time to reach them. */
    public int pending;

    public FoundUser() {}

    public FoundUser(long mpid, byte[] profile, int pending) {
        this.mpid = mpid;
        this.profile = profile;
        this.pending = pending;
    }
}
