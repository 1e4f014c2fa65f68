package org.audienceengine.connectors.delivery;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.io.Serializable;
import java.util.Arrays;

/**
 * One membership delta addressed to one connection: what the partner outputs are asked to
 * deliver. The job adapts its deltas to this type so that the outputs never depend on it.
 *
 * <p>A Flink POJO (public no-arg constructor, public fields): Flink serializes it without Kryo.
 * That is why identities are two parallel arrays, {@link #identityTypes} and
 * {@link #identityValues} ({@code identityTypes[i]} → {@code identityValues[i]}), rather than a
 * map, which Flink would hand to Kryo.
 *
 * <p>{@link #toString()} shows ids only: identities are personal data and must not reach logs.
 */
public class AudienceChange implements Serializable {

    private static final long serialVersionUID = 1L;

    public String connectionId;
    /**
     * {@code "<connection id>|<member>"}: the partner member this change is about (a list member,
     * a Braze user, a webhook user). Delivery keeps state and order per member key.
     */
    public String memberKey;
    /** {@code "<audience_id>:<mpid>:<profile_created_at>:<seq>"}, stable across restarts. */
    public String deltaId;
    public long audienceId;
    public String audienceName;
    public String externalName;
    public long mpid;
    /** {@code "add"} or {@code "remove"}. */
    public String action;
    public long seq;
    public long profileCreatedAt;
    public long effectiveAt;
    /** {@code "production"}, {@code "development"} or null. */
    public String environment;
    /** Identity types (deltas.md {@code identities} keys: email, customer_id, …). */
    public String[] identityTypes = new String[0];
    /** The values of {@link #identityTypes}, index for index. */
    public String[] identityValues = new String[0];

    public AudienceChange() {
    }

    public static AudienceChange of(String connectionId, String deltaId, long audienceId, long mpid, String action, long seq) {
        AudienceChange c = new AudienceChange();
        c.connectionId = connectionId;
        c.deltaId = deltaId;
        c.audienceId = audienceId;
        c.mpid = mpid;
        c.action = action;
        c.seq = seq;
        return c;
    }

    /** Adds (or replaces) one identity; returns {@code this}. */
    public AudienceChange withIdentity(String type, String value) {
        if (identityTypes == null || identityValues == null) {
            identityTypes = new String[0];
            identityValues = new String[0];
        }
        int i = indexOf(type);
        if (i >= 0) {
            identityValues[i] = value;
            return this;
        }
        identityTypes = Arrays.copyOf(identityTypes, identityTypes.length + 1);
        identityValues = Arrays.copyOf(identityValues, identityValues.length + 1);
        identityTypes[identityTypes.length - 1] = type;
        identityValues[identityValues.length - 1] = value;
        return this;
    }

    /** The value of identity {@code type}, or null. */
    public String identity(String type) {
        int i = indexOf(type);
        return i < 0 || identityValues == null || i >= identityValues.length ? null : identityValues[i];
    }

    @JsonIgnore
    public boolean isAdd() {
        return "add".equals(action);
    }

    private int indexOf(String type) {
        if (identityTypes == null) {
            return -1;
        }
        for (int i = 0; i < identityTypes.length; i++) {
            if (type.equals(identityTypes[i])) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return "AudienceChange{connection=" + connectionId + ", delta=" + deltaId + ", action=" + action + "}";
    }
}
