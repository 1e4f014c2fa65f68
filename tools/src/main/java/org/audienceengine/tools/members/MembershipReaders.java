package org.audienceengine.tools.members;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.Collector;

import org.audienceengine.definitions.Audience;
import org.audienceengine.definitions.AudienceSet;
import org.audienceengine.evaluation.ProfileEvaluator;
import org.audienceengine.ingest.DeviceIdentities;
import org.audienceengine.profile.UserProfile;
import org.audienceengine.tools.state.SavepointState;
import org.audienceengine.tools.state.UserReader;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The per-user readers of {@code members} and {@code estimate}: memberships held in state, and
 * memberships that audiences not yet live would have, counted per audience in the reading job.
 */
final class MembershipReaders {
    static final TypeInformation<Tuple2<Integer, Long>> COUNT = Types.TUPLE(Types.INT, Types.LONG);
    static final TypeInformation<Tuple2<Long, String>> ROW = Types.TUPLE(Types.LONG, Types.STRING);

    private MembershipReaders() {}

    /** Audience id → members held in state. */
    static Map<Integer, Long> heldCounts(SavepointState state) throws Exception {
        return counts(state, new Held());
    }

    /** Audience id → members the audiences of {@code set} would have at {@code at}, for the ids in {@code wanted}. */
    static Map<Integer, Long> estimatedCounts(SavepointState state, AudienceSet set, Set<Integer> wanted, long at)
            throws Exception {
        return counts(state, new Estimated(set, wanted, at));
    }

    /** The members of one audience, each with their identities as JSON. */
    static List<Tuple2<Long, String>> members(SavepointState state, int audienceId) throws Exception {
        return state.users(new Members(audienceId), ROW);
    }

    private static Map<Integer, Long> counts(SavepointState state, UserReader<Tuple2<Integer, Long>> reader) throws Exception {
        Map<Integer, Long> out = new TreeMap<>();
        for (Tuple2<Integer, Long> t : state.users(reader, COUNT,
                (DataStream<Tuple2<Integer, Long>> users) -> users.keyBy(t -> t.f0, Types.INT).sum(1))) {
            out.put(t.f0, t.f1);
        }
        return out;
    }

    private static final class Held extends UserReader<Tuple2<Integer, Long>> {
        private static final long serialVersionUID = 1L;

        @Override
        protected void visit(long mpid, byte[] stored, UserProfile p, Collector<Tuple2<Integer, Long>> out) {
            for (int i = 0; i < p.memberships.size(); i++) {
                if (p.memberships.isMemberAt(i)) {
                    out.collect(Tuple2.of(p.memberships.audienceAt(i), 1L));
                }
            }
        }
    }

    private static final class Estimated extends UserReader<Tuple2<Integer, Long>> {
        private static final long serialVersionUID = 1L;
        private final AudienceSet set;
        private final Set<Integer> wanted;
        private final long at;
        private transient ProfileEvaluator evaluator;

        Estimated(AudienceSet set, Set<Integer> wanted, long at) {
            this.set = set;
            this.wanted = Set.copyOf(wanted);
            this.at = at;
        }

        @Override
        protected void visit(long mpid, byte[] stored, UserProfile p, Collector<Tuple2<Integer, Long>> out) {
            if (evaluator == null) {
                evaluator = new ProfileEvaluator(set, Long.MAX_VALUE / 4, false);
            }
            boolean[] members = evaluator.memberships(p, at);
            List<Audience> audiences = set.inEvaluationOrder();
            for (int i = 0; i < members.length; i++) {
                if (members[i] && wanted.contains(audiences.get(i).id())) {
                    out.collect(Tuple2.of(audiences.get(i).id(), 1L));
                }
            }
        }
    }

    private static final class Members extends UserReader<Tuple2<Long, String>> {
        private static final long serialVersionUID = 1L;
        private static final ObjectMapper MAPPER = new ObjectMapper();
        private final int audienceId;

        Members(int audienceId) {
            this.audienceId = audienceId;
        }

        @Override
        protected void visit(long mpid, byte[] stored, UserProfile p, Collector<Tuple2<Long, String>> out) throws Exception {
            if (p.isMember(audienceId)) {
                Map<String, String> ids = new TreeMap<>(p.identities);
                p.deviceInfo.forEach((field, value) -> {
                    if (DeviceIdentities.isIdentity(field)) {
                        ids.put(field, value);
                    }
                });
                out.collect(Tuple2.of(mpid, MAPPER.writeValueAsString(ids)));
            }
        }
    }
}
