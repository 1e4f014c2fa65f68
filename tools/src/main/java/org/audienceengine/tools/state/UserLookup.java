package org.audienceengine.tools.state;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.Collector;

import org.audienceengine.erasure.IdentityKeys;
import org.audienceengine.ingest.BatchParser;
import org.audienceengine.ingest.DeviceIdentities;
import org.audienceengine.profile.ProfileCodec;
import org.audienceengine.profile.UserProfile;

import java.util.List;
import java.util.Map;

/**
 * Finds one user in state: by mpid, or by identity through the job's identity index (which an
 * erasure empties) and, where the job kept none, by the identities the profiles hold. An erased
 * user has no profile, so either way they are not found.
 */
public final class UserLookup {
    private UserLookup() {}

    public static FoundUser byMpid(SavepointState state, long mpid) throws Exception {
        List<FoundUser> found = state.users(new ByMpid(mpid), TypeInformation.of(FoundUser.class));
        return found.isEmpty() ? null : found.get(0);
    }

    public static FoundUser byIdentity(SavepointState state, String type, String value) throws Exception {
        if (state.hasIdentityIndex()) {
            Long mpid = state.indexedMpid(IdentityKeys.of(type, value));
            return mpid == null ? null : byMpid(state, mpid);
        }
        List<FoundUser> found = state.users(new ByIdentity(type, value), TypeInformation.of(FoundUser.class));
        // Two profiles with one identity: the latest to carry it, as the index would say.
        FoundUser latest = null;
        for (FoundUser u : found) {
            if (latest == null || ProfileCodec.decode(u.profile).lastBatchAt > ProfileCodec.decode(latest.profile).lastBatchAt) {
                latest = u;
            }
        }
        return latest;
    }

    private static final class ByMpid extends UserReader<FoundUser> {
        private static final long serialVersionUID = 1L;
        private final long mpid;

        ByMpid(long mpid) {
            this.mpid = mpid;
        }

        @Override
        protected boolean wants(long candidate) {
            return candidate == mpid;
        }

        @Override
        protected void visit(long candidate, byte[] stored, UserProfile p, Collector<FoundUser> out) throws Exception {
            out.collect(new FoundUser(candidate, stored, pendingBatches()));
        }
    }

    private static final class ByIdentity extends UserReader<FoundUser> {
        private static final long serialVersionUID = 1L;
        private final String type;
        private final String value;

        ByIdentity(String type, String value) {
            this.type = type;
            this.value = "email".equals(type) ? BatchParser.normalizeEmail(value) : value;
        }

        @Override
        protected void visit(long mpid, byte[] stored, UserProfile p, Collector<FoundUser> out) throws Exception {
            Map<String, String> source = DeviceIdentities.isIdentity(type) ? p.deviceInfo : p.identities;
            String held = source.get(type);
            if (held != null && ("email".equals(type) ? BatchParser.normalizeEmail(held) : held).equals(value)) {
                out.collect(new FoundUser(mpid, stored, pendingBatches()));
            }
        }
    }
}
