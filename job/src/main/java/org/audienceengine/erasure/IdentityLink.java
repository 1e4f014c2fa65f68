package org.audienceengine.erasure;

/** "This identity (by index key) was carried by this mpid at this time", from each batch. */
public class IdentityLink {
    public String identityKey;
    public long mpid;
    public long time;

    public IdentityLink() {}

    public IdentityLink(String identityKey, long mpid, long time) {
        this.identityKey = identityKey;
        this.mpid = mpid;
        this.time = time;
    }

    public String getIdentityKey() {
        return identityKey;
    }
}
