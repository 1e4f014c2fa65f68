package org.audienceengine.deltas;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import org.apache.flink.api.common.typeinfo.TypeInfo;

import org.audienceengine.serialization.JacksonTypeInfo;

import java.util.Map;

/** A membership flip, exactly in the shape of deltas.md; its JSON form is the wire form. */
@TypeInfo(JacksonTypeInfo.Factory.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({
    "delta_id", "audience_id", "audience_name", "external_name", "mpid", "action", "reason",
    "effective_at", "seq", "profile_created_at", "identities", "device_identities",
    "user_attributes", "environment"
})
public class MembershipDelta {
    public static final String ADD = "add";
    public static final String REMOVE = "remove";

    @JsonProperty("delta_id")
    public String deltaId;

    @JsonProperty("audience_id")
    public int audienceId;

    @JsonProperty("audience_name")
    public String audienceName;

    @JsonProperty("external_name")
    public String externalName;

    @JsonProperty("mpid")
    public long mpid;

    @JsonProperty("action")
    public String action;

    @JsonProperty("reason")
    public String reason;

    @JsonProperty("effective_at")
    public long effectiveAt;

    @JsonProperty("seq")
    public int seq;

    @JsonProperty("profile_created_at")
    public long profileCreatedAt;

    @JsonProperty("identities")
    public Map<String, String> identities;

    @JsonProperty("device_identities")
    public Map<String, String> deviceIdentities;

    /** Omitted (null) on erasure. */
    @JsonProperty("user_attributes")
    public Map<String, Object> userAttributes;

    @JsonProperty("environment")
    public String environment;

    /** Set where {@link #deltaId} was made by {@link #deltaId(int, long, long, int)}: digits and colons, nothing to escape. */
    @JsonIgnore
    public boolean deltaIdIsPlain;

    public static String deltaId(int audienceId, long mpid, long profileCreatedAt, int seq) {
        return audienceId + deltaIdMiddle(mpid, profileCreatedAt) + seq;
    }

    /** The part of {@link #deltaId} that all of one user's deltas share (made once per step). */
    static String deltaIdMiddle(long mpid, long profileCreatedAt) {
        return ":" + mpid + ":" + profileCreatedAt + ":";
    }

    @JsonIgnore
    public boolean isAdd() {
        return ADD.equals(action);
    }
}
