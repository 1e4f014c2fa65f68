package org.audienceengine.ingest;

import java.util.List;
import java.util.Map;

/**
 * One validated Events-API batch of one user, as the evaluation reads it. Maps keep the batch's
 * upserts: a {@code null} value deletes the field from the profile. Never stored in Flink state
 * or sent between operators (the raw payload is; see {@link IngestedBatch}).
 */
public final class Batch {
    public long mpid;
    public String environment;
    /** The batch time of audiences.md: the latest event time, else the batch's own time. */
    public long batchTime;
    public String sourceRequestId;
    /** Identity type to value (emails trimmed and lower-cased); null deletes. */
    public Map<String, String> userIdentities;
    /** Attribute name to String, BigDecimal, Boolean or List of String; null deletes. */
    public Map<String, Object> userAttributes;
    public List<String> deletedUserAttributes;
    /** device_info fields as text; null deletes. */
    public Map<String, String> deviceInfo;
    public Map<String, Consent> consent;
    public List<Event> events;

    /** A GDPR consent record for one purpose. */
    public static final class Consent {
        public final boolean consented;
        /** Null when the record carries no time. */
        public final Long timestamp;

        public Consent(boolean consented, Long timestamp) {
            this.consented = consented;
            this.timestamp = timestamp;
        }
    }
}
