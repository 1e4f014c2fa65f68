package org.audienceengine.evaluation;

import org.audienceengine.config.EngineSettings;
import org.audienceengine.definitions.Audience;
import org.audienceengine.definitions.AudienceSet;
import org.audienceengine.deltas.DeltaFactory;
import org.audienceengine.deltas.DeltaFactory.Identities;
import org.audienceengine.deltas.MembershipDelta;
import org.audienceengine.deltas.Reason;
import org.audienceengine.ingest.Batch;
import org.audienceengine.profile.Memberships;
import org.audienceengine.profile.ProfileUpdater;
import org.audienceengine.profile.UserProfile;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The per-user step of the engine, free of Flink: apply a batch, evaluate at an expiry instant,
 * expire a profile, and say when the user must next be looked at. The keyed operator owns state
 * and timers and calls these.
 */
public final class ProfileEvaluator {
    private final AudienceSet set;
    private final long lifetimeMs;
    private final boolean clampFuture;
    private final Map<Integer, Set<String>> identityTypesUsed;
    private final BatchReach reach;
    /** The aggregates of the evaluation under way, shared by the audiences over the same ones. */
    private final AggregateMemo memo;
    /**
     * The evaluation under way and its verdicts by position, kept from one evaluation to the next
     * (one is read before the next starts): with hundreds of audiences, a fresh context and
     * array per evaluation were a good part of what a batch allocated. Only the affected
     * positions of the verdicts are ever read.
     */
    private final EvaluationContext context;
    private final boolean[] evaluated;
    /** Edges evaluated ahead per schedule: bounds the work a batch does for its timer. */
    public static final int LOOKAHEAD = 8;
    /**
     * Edges found per walk of the series when catching up. A walk costs with the edges it keeps
     * and most catch-ups end within a few: 8 took a tenth less time than 32 in the step split.
     */
    private static final int CATCH_UP_EDGES = 8;

    public ProfileEvaluator(AudienceSet set, long lifetimeMs, boolean clampFuture) {
        this(set, lifetimeMs, clampFuture, Map.of());
    }

    /** @param identityTypesUsed per audience, the identity types its connections use (see EngineSettings) */
    public ProfileEvaluator(AudienceSet set, long lifetimeMs, boolean clampFuture, Map<Integer, Set<String>> identityTypesUsed) {
        this.set = set;
        this.lifetimeMs = lifetimeMs;
        this.clampFuture = clampFuture;
        this.identityTypesUsed = identityTypesUsed;
        this.memo = new AggregateMemo(set.aggregateSlots());
        List<Audience> audiences = set.inEvaluationOrder();
        this.context = new EvaluationContext(newProfile(0), 0, set, memo);
        this.evaluated = new boolean[audiences.size()];
        this.reach = new BatchReach(set.inputs(), audiences, evaluate(newProfile(0), 0, allOf(audiences.size())).clone());
    }

    public AudienceSet audiences() {
        return set;
    }

    /** A new, empty profile created at {@code at}. */
    public static UserProfile newProfile(long at) {
        UserProfile p = new UserProfile();
        p.createdAt = at;
        p.lastBatchAt = at;
        p.firstSeenAt = Long.MAX_VALUE;
        return p;
    }

    /**
     * Applies a batch at time T and evaluates the user once; returns the flips. Only the audiences
     * that {@link BatchReach} names are evaluated.
     */
    public List<MembershipDelta> applyBatch(long mpid, UserProfile p, Batch batch, long at) {
        Identities before = Identities.of(p);
        // Only a profile that never had a batch has no first-seen time, and it holds nothing.
        BatchReach.Marks marks = reach.marks(p.firstSeenAt == Long.MAX_VALUE);
        p.takeTimerAsEdge(at, set);
        ProfileUpdater.apply(p, batch, at, set, clampFuture, marks);
        if (p.edgeKnown(at, set)) {
            if (marks.firstSeenMoved) {
                p.forgetEdge();
            } else {
                p.knownEdge = Math.min(p.knownEdge, UpcomingEdges.first(set, p, at, marks.touched, marks.touchedCount));
            }
        }
        boolean[] wereMembers = membersByPosition(p);
        BitSet affected = reach.affected(marks, wereMembers);
        Identities after = marks.carriedIdentityChanged ? Identities.of(p) : before;
        List<MembershipDelta> out = new ArrayList<>();
        List<Audience> audiences = set.inEvaluationOrder();
        boolean[] members = evaluate(p, at, affected);
        // Only a changed identity can touch an audience that was not evaluated: one it is a member of.
        BitSet visit = affected;
        if (marks.identityChanged) {
            visit = (BitSet) affected.clone();
            for (int i = 0; i < wereMembers.length; i++) {
                if (wereMembers[i]) {
                    visit.set(i);
                }
            }
        }
        for (int i = visit.nextSetBit(0); i >= 0; i = visit.nextSetBit(i + 1)) {
            Audience a = audiences.get(i);
            boolean was = wereMembers[i];
            boolean now = affected.get(i) ? members[i] : was;
            if (was && !now) {
                // The identities the user was added with: those before this batch.
                out.add(DeltaFactory.next(mpid, p, a, false, reasonFor(a, Reason.CRITERIA), at, before));
            } else if (!was && now) {
                out.add(DeltaFactory.next(mpid, p, a, true, Reason.CRITERIA, at, after));
            } else if (was && marks.identityChanged && usedIdentityChanged(a.id(), before.user(), after.user())) {
                out.add(DeltaFactory.next(mpid, p, a, false, Reason.IDENTITY_CHANGE, at, before));
                out.add(DeltaFactory.next(mpid, p, a, true, Reason.IDENTITY_CHANGE, at, after));
            }
        }
        return out;
    }

    /**
     * The user's memberships by evaluation position, from one walk of the memberships: a batch
     * visits hundreds of audiences, and a search of the memberships for each cost more.
     */
    private boolean[] membersByPosition(UserProfile p) {
        boolean[] members = new boolean[set.inEvaluationOrder().size()];
        Memberships m = p.memberships;
        for (int j = 0; j < m.size(); j++) {
            int i = m.isMemberAt(j) ? set.position(m.audienceAt(j)) : -1;
            if (i >= 0) {
                members[i] = true;
            }
        }
        return members;
    }

    /** Whether an identity of a type that a connection of the audience uses changed. */
    private boolean usedIdentityChanged(int audienceId, Map<String, String> before, Map<String, String> after) {
        Set<String> types = identityTypesUsed.get(audienceId);
        if (types == null) {
            return false;
        }
        if (types.contains(EngineSettings.ANY_IDENTITY)) {
            return true;
        }
        for (String t : types) {
            if (!Objects.equals(before.get(t), after.get(t))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Evaluates the user at an expiry instant x (a window edge); returns the flips. Only the
     * audiences reading a series or first-seen window with an edge at x can flip there.
     */
    public List<MembershipDelta> evaluateAt(long mpid, UserProfile p, long at) {
        List<MembershipDelta> out = new ArrayList<>();
        fireAt(mpid, p, at, new UpcomingEdges(set, p, at - 1, 1), out);
        return out;
    }

    /**
     * A timer fires at {@code at}: prunes the profile there and evaluates the audiences (and
     * their nested dependants) reading an input with an edge at {@code at}, the first of
     * {@code edges} (found from {@code at} on) if it is there; returns the index of the first
     * edge after {@code at}.
     */
    private int fireAt(long mpid, UserProfile p, long at, UpcomingEdges edges, List<MembershipDelta> out) {
        ProfileUpdater.prune(p, at, set);
        if (edges.count() == 0 || edges.instant(0) != at) {
            return 0;
        }
        BitSet affected = edges.affected(0);
        if (!affected.isEmpty()) {
            addFlips(mpid, p, at, affected, evaluate(p, at, affected), null, Identities.of(p), out);
        }
        return 1;
    }

    private static BitSet allOf(int size) {
        BitSet all = new BitSet(size);
        all.set(0, size);
        return all;
    }

    /** Removes the user from every audience with {@code reason}; the caller then drops the state. */
    public List<MembershipDelta> removeAll(long mpid, UserProfile p, long at, String reason) {
        Identities ids = Identities.of(p);
        List<MembershipDelta> out = new ArrayList<>();
        // A delta rewrites its audience's entry in place, so the order walked stays put.
        for (int i = 0; i < p.memberships.size(); i++) {
            if (p.memberships.isMemberAt(i)) {
                int id = p.memberships.audienceAt(i);
                Audience a = set.audience(id);
                String name = a == null ? null : a.name();
                String external = a == null ? null : a.externalName();
                out.add(DeltaFactory.next(mpid, p, id, name, external, false, reason, at, ids));
            }
        }
        return out;
    }

    /** When the profile is deleted for want of new batches. */
    public long expiresAt(UserProfile p) {
        return p.expiresAt(lifetimeMs);
    }

    /**
     * The next instant after T at which a membership may flip, or the profile expires, whichever
     * comes first; the user's timer is set there.
     *
     * <p>Most window edges flip nothing (a bucket leaves, the count stays above its threshold), and
     * each one a timer reaches costs a state read and write. With {@code lookAhead} the edges are
     * evaluated here, in memory, until one flips; nothing but a batch can change the profile before
     * the timer, and a batch schedules again, so the timer's deltas are exactly those of evaluating
     * every edge. At most {@link #LOOKAHEAD} edges are passed over: past them the timer is set at
     * the next edge, to go on from there. Without it, the next edge is the answer: after a batch,
     * which a user's next batch may well overtake, the look-ahead would mostly be wasted, so it
     * waits for the first timer to fire. Without it, where an earlier walk of every series is at
     * hand (a catch-up's, or a timer armed here), only the series the batches since touched are
     * walked again (see UserProfile#knownEdge), and an instant before the expiry is remembered as
     * the first edge after {@code at}, for the user's next batch.
     */
    public long nextInstant(UserProfile p, long at, boolean lookAhead) {
        if (lookAhead) {
            p.exactTimerAt = UserProfile.UNKNOWN;
            return next(p, new UpcomingEdges(set, p, at, LOOKAHEAD + 1), 0, LOOKAHEAD);
        }
        long expires = expiresAt(p);
        long next = p.edgeKnown(at, set) ? Math.min(p.knownEdge, expires) : next(p, new UpcomingEdges(set, p, at, 1), 0, 0);
        p.exactTimerAt = next < expires ? next : UserProfile.UNKNOWN;
        return next;
    }

    /**
     * A timer at {@code at} fires: the user is evaluated there, as by {@link #evaluateAt}, and the
     * next instant is returned, as {@code nextInstant(p, at, true)} gives it, from one walk of
     * the series instead of two.
     */
    public long fire(long mpid, UserProfile p, long at, List<MembershipDelta> out) {
        UpcomingEdges edges = new UpcomingEdges(set, p, at - 1, LOOKAHEAD + 2);
        return next(p, edges, fireAt(mpid, p, at, edges, out), LOOKAHEAD);
    }

    /** The first of the edges from {@code from} on that flips, or the one {@code limit} edges on, or the expiry. */
    private long next(UserProfile p, UpcomingEdges edges, int from, int limit) {
        long expires = expiresAt(p);
        boolean[] current = null;
        for (int i = 0; from + i < edges.count() && edges.instant(from + i) < expires; i++) {
            long x = edges.instant(from + i);
            if (i == limit) {
                return x;
            }
            BitSet affected = edges.affected(from + i);
            if (!affected.isEmpty()) {
                current = current == null ? membersByPosition(p) : current;
                if (flips(current, affected, evaluate(p, x, affected))) {
                    return x;
                }
            }
        }
        return expires;
    }

    /**
     * Fires, in order, the chain of timers that {@link #nextInstant nextInstant(…, true)} sets
     * from a timer at {@code timerAt}, every one up to {@code now}, adding their deltas to
     * {@code out}. Returns an instant after {@code now} when the profile lives on, or the end of
     * its lifetime when that is reached first (the caller expires it there).
     *
     * <p>Deltas and profile are those of firing each timer ({@link #evaluateAt}, then
     * {@link #nextInstant}), as edges that flip nothing are passed over by both alike; but each
     * edge is evaluated once, not once ahead and again when its timer fires, and one walk of the
     * series finds the edges of many timers. Window edges depend on bucket numbers only, which
     * neither evaluation nor pruning at an instant changes after it.
     */
    public long catchUp(long mpid, UserProfile p, long timerAt, long now, List<MembershipDelta> out) {
        long expires = expiresAt(p);
        if (timerAt >= expires) {
            return expires;
        }
        UpcomingEdges edges = new UpcomingEdges(set, p, timerAt - 1, CATCH_UP_EDGES);
        int i = fireAt(mpid, p, timerAt, edges, out);
        Identities ids = Identities.of(p);
        // Kept up to date with each flip: the edges ask every affected audience, and a search
        // of the memberships for each cost more with hundreds of audiences.
        boolean[] current = membersByPosition(p);
        int passed = 0;
        while (true) {
            if (i == edges.count()) {
                if (edges.count() < CATCH_UP_EDGES) {
                    p.knowEdge(now, Long.MAX_VALUE, set);
                    return expires;
                }
                edges = new UpcomingEdges(set, p, edges.instant(i - 1), CATCH_UP_EDGES);
                i = 0;
                continue;
            }
            long x = edges.instant(i++);
            if (x >= expires || x > now) {
                if (x > now) {
                    p.knowEdge(now, x, set);
                }
                return Math.min(x, expires);
            }
            BitSet affected = edges.affected(i - 1);
            boolean[] members = affected.isEmpty() ? null : evaluate(p, x, affected);
            boolean flips = members != null && flips(current, affected, members);
            if (flips || passed == LOOKAHEAD) {
                // A timer fires here: at a flip, or past LOOKAHEAD edges that flip nothing.
                ProfileUpdater.prune(p, x, set);
                if (flips) {
                    addFlips(mpid, p, x, affected, members, current, ids, out);
                }
                passed = 0;
            } else {
                passed++;
            }
        }
    }

    /**
     * Emits the flips of the affected audiences and records them in {@code current}, the
     * memberships by position (null: asked of the profile, for a single instant).
     */
    private void addFlips(long mpid, UserProfile p, long at, BitSet affected, boolean[] members, boolean[] current,
            Identities ids, List<MembershipDelta> out) {
        List<Audience> audiences = set.inEvaluationOrder();
        for (int i = affected.nextSetBit(0); i >= 0; i = affected.nextSetBit(i + 1)) {
            Audience a = audiences.get(i);
            boolean was = current == null ? p.isMember(a.id()) : current[i];
            if (was != members[i]) {
                out.add(DeltaFactory.next(mpid, p, a, members[i], reasonFor(a, Reason.EXPIRY), at, ids));
                if (current != null) {
                    current[i] = members[i];
                }
            }
        }
    }

    private static boolean flips(boolean[] current, BitSet affected, boolean[] members) {
        for (int i = affected.nextSetBit(0); i >= 0; i = affected.nextSetBit(i + 1)) {
            if (current[i] != members[i]) {
                return true;
            }
        }
        return false;
    }

    /** Every audience's membership at T as the job would decide it, in evaluation order; the profile is left as it is. */
    public boolean[] memberships(UserProfile p, long at) {
        return evaluate(p, at, allOf(set.inEvaluationOrder().size())).clone();
    }

    /**
     * Memberships at T of the affected audiences, in the set's evaluation order (nested audiences
     * see the new ones); the others read as they are.
     */
    private boolean[] evaluate(UserProfile p, long at, BitSet affected) {
        memo.next();
        List<Audience> audiences = set.inEvaluationOrder();
        context.reset(p, at);
        boolean[] result = evaluated;
        for (int i = affected.nextSetBit(0); i >= 0; i = affected.nextSetBit(i + 1)) {
            Audience a = audiences.get(i);
            result[i] = a.enabled() && a.criteria().test(context);
            context.decide(i, result[i]);
        }
        return result;
    }

    private static String reasonFor(Audience a, String reason) {
        return a.enabled() ? reason : Reason.DEFINITION;
    }
}
