package org.audienceengine.deltas;

import org.audienceengine.definitions.Audience;
import org.audienceengine.ingest.DeviceIdentities;
import org.audienceengine.profile.UserProfile;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/** Builds deltas and advances the per-(audience, user) seq kept in the profile. */
public final class DeltaFactory {
    private DeltaFactory() {}

    /**
     * Identities as a delta carries them, taken when the step began or after the batch changed
     * them, and the user's attributes as the deltas of this step carry them: copied at the first
     * delta, after the batch was applied, and shared by the step's deltas (read-only), not
     * copied per delta.
     */
    public static final class Identities {
        private final Map<String, String> user;
        private final Map<String, String> device;
        private Map<String, Object> attributes;
        /** The middle of the step's delta ids (MembershipDelta#deltaId) and what it was made of: digits once per step. */
        private String idInfix;
        private long infixMpid;
        private long infixCreatedAt;

        private Identities(Map<String, String> user, Map<String, String> device) {
            this.user = user;
            this.device = device;
        }

        public static Identities of(UserProfile p) {
            Map<String, String> device = new TreeMap<>();
            for (Map.Entry<String, String> e : p.deviceInfo.entrySet()) {
                if (DeviceIdentities.isIdentity(e.getKey())) {
                    device.put(e.getKey(), e.getValue());
                }
            }
            return new Identities(new TreeMap<>(p.identities), device);
        }

        public Map<String, String> user() {
            return user;
        }

        public Map<String, String> device() {
            return device;
        }

        String deltaId(int audienceId, long mpid, long createdAt, int seq) {
            if (idInfix == null || infixMpid != mpid || infixCreatedAt != createdAt) {
                idInfix = MembershipDelta.deltaIdMiddle(mpid, createdAt);
                infixMpid = mpid;
                infixCreatedAt = createdAt;
            }
            return audienceId + idInfix + seq;
        }

        Map<String, Object> attributes(UserProfile p) {
            if (attributes == null) {
                attributes = Collections.unmodifiableMap(new TreeMap<>(p.attributes));
            }
            return attributes;
        }
    }

    public static MembershipDelta next(
            long mpid, UserProfile p, Audience audience, boolean add, String reason, long at, Identities ids) {
        return next(mpid, p, audience.id(), audience.name(), audience.externalName(), add, reason, at, ids);
    }

    public static MembershipDelta next(
            long mpid,
            UserProfile p,
            int audienceId,
            String name,
            String externalName,
            boolean add,
            String reason,
            long at,
            Identities ids) {
        int seq = p.memberships.advance(audienceId, add, at);
        MembershipDelta d = new MembershipDelta();
        d.audienceId = audienceId;
        d.audienceName = name;
        d.externalName = externalName;
        d.mpid = mpid;
        d.action = add ? MembershipDelta.ADD : MembershipDelta.REMOVE;
        d.reason = reason;
        d.effectiveAt = at;
        d.seq = seq;
        d.profileCreatedAt = p.createdAt;
        d.deltaId = ids.deltaId(audienceId, mpid, p.createdAt, seq);
        d.deltaIdIsPlain = true;
        d.identities = ids.user();
        d.deviceIdentities = ids.device();
        d.userAttributes = Reason.ERASURE.equals(reason) ? null : ids.attributes(p);
        d.environment = p.environment;
        return d;
    }
}
