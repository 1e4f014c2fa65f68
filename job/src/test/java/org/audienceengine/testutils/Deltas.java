package org.audienceengine.testutils;

import static org.assertj.core.api.Assertions.tuple;

import org.assertj.core.groups.Tuple;

import org.audienceengine.deltas.MembershipDelta;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** Short forms of deltas for assertions. */
public final class Deltas {
    private Deltas() {}

    /** (action, audience, reason, effective_at) of each delta, in order. */
    public static List<Tuple> brief(List<MembershipDelta> deltas) {
        return deltas.stream().map(d -> tuple(d.action, d.audienceId, d.reason, d.effectiveAt)).toList();
    }

    public static Tuple add(int audience, String reason, long at) {
        return tuple("add", audience, reason, at);
    }

    public static Tuple remove(int audience, String reason, long at) {
        return tuple("remove", audience, reason, at);
    }

    /** The memberships the deltas leave behind: user to audiences. */
    public static Map<Long, Set<Integer>> members(List<MembershipDelta> deltas) {
        Map<Long, Set<Integer>> out = new TreeMap<>();
        for (MembershipDelta d : deltas) {
            Set<Integer> audiences = out.computeIfAbsent(d.mpid, k -> new TreeSet<>());
            if (d.isAdd()) {
                audiences.add(d.audienceId);
            } else {
                audiences.remove(d.audienceId);
            }
        }
        out.values().removeIf(Set::isEmpty);
        return out;
    }
}
