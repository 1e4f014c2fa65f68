package org.audienceengine.reference;

import org.audienceengine.reference.RefModel.And;
import org.audienceengine.reference.RefModel.Audience;
import org.audienceengine.reference.RefModel.Batch;
import org.audienceengine.reference.RefModel.Criteria;
import org.audienceengine.reference.RefModel.Delta;
import org.audienceengine.reference.RefModel.Event;
import org.audienceengine.reference.RefModel.EventCond;
import org.audienceengine.reference.RefModel.Filter;
import org.audienceengine.reference.RefModel.FirstSeen;
import org.audienceengine.reference.RefModel.InAudience;
import org.audienceengine.reference.RefModel.Not;
import org.audienceengine.reference.RefModel.Or;
import org.audienceengine.reference.RefModel.UserAttr;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A deliberately naive implementation of replay mode, straight from audiences.md: it keeps every
 * event, decides windows with the inequality {@code q(T) − W/b < q(t) ≤ q(T)} by scanning, and
 * finds expiry instants by brute force. Slow and simple on purpose, so that it can judge the
 * engine.
 *
 * <p>Choices where the text leaves room (the engine's documented choices): first-seen is the
 * earliest of the user's event times and the times of their event-less batches; a numeric string
 * is a string that is a JSON number.
 */
public final class ReferenceEvaluator {
    private static final long MINUTE = 60_000L;
    private static final long HOUR = 60 * MINUTE;
    private static final long DAY = 24 * HOUR;

    private final List<Audience> audiences;
    private final long lifetimeMs;
    private final List<Long> windows = new ArrayList<>();

    public ReferenceEvaluator(List<Audience> audiences, long lifetimeMs) {
        this.audiences = audiences.stream().sorted(Comparator.comparingInt(Audience::id)).toList();
        this.lifetimeMs = lifetimeMs;
        TreeSet<Long> distinct = new TreeSet<>();
        for (Audience a : audiences) {
            collectWindows(a.criteria(), distinct);
        }
        windows.addAll(distinct);
    }

    /** Every delta of every user; each user's deltas in the order they happen. */
    public List<Delta> run(List<Batch> batches) {
        Map<Long, List<Batch>> byUser = new LinkedHashMap<>();
        for (Batch b : batches) {
            byUser.computeIfAbsent(b.mpid(), k -> new ArrayList<>()).add(b);
        }
        List<Delta> out = new ArrayList<>();
        byUser.forEach((mpid, own) -> out.addAll(runUser(mpid, own)));
        return out;
    }

    /** The batch time: the latest event time, or the batch's own time when it has no events. */
    public static long batchTime(Batch b) {
        long latest = Long.MIN_VALUE;
        for (Event e : b.events()) {
            latest = Math.max(latest, timeOf(e, b));
        }
        return b.events().isEmpty() ? b.timestamp() : latest;
    }

    private static long timeOf(Event e, Batch b) {
        return e.time() != null ? e.time() : b.timestamp();
    }

    /** What the reference keeps of one user: everything. */
    private static final class Profile {
        long lastBatch;
        Long firstSeen;
        final Map<String, Object> attributes = new HashMap<>();
        final List<Event> events = new ArrayList<>();
        final List<Long> eventTimes = new ArrayList<>();
        final Map<Integer, Integer> seqs = new TreeMap<>();

        Profile(long createdAt) {
            this.lastBatch = createdAt;
        }

        boolean member(int audience) {
            return seqs.getOrDefault(audience, 0) % 2 == 1;
        }
    }

    private List<Delta> runUser(long mpid, List<Batch> batches) {
        List<Batch> sorted = new ArrayList<>(batches);
        sorted.sort(Comparator.comparingLong(ReferenceEvaluator::batchTime).thenComparingLong(Batch::order));
        List<Delta> out = new ArrayList<>();
        Profile p = null;
        long done = Long.MIN_VALUE;
        for (Batch b : sorted) {
            long at = batchTime(b);
            p = passTime(mpid, p, done, at, out);
            if (p == null) {
                p = new Profile(at);
            }
            apply(p, b, at);
            evaluate(mpid, p, at, "criteria", out);
            done = at;
        }
        passTime(mpid, p, done, Long.MAX_VALUE, out);
        return out;
    }

    /**
     * Evaluates, in order, every expiry instant x with done < x ≤ until; returns the profile, or
     * null when it reached the end of its lifetime on the way.
     */
    private Profile passTime(long mpid, Profile p, long done, long until, List<Delta> out) {
        if (p == null) {
            return null;
        }
        long expiresAt = p.lastBatch + lifetimeMs;
        for (long x : candidateInstants(p)) {
            // The profile expiry wins over a window edge at the same instant.
            if (x > done && x <= until && x < expiresAt) {
                evaluate(mpid, p, x, "expiry", out);
            }
        }
        if (expiresAt > until) {
            return p;
        }
        for (Audience a : audiences) {
            if (p.member(a.id())) {
                out.add(flip(mpid, p, a.id(), false, "profile_expired", expiresAt));
            }
        }
        return null;
    }

    /** Every bucket edge at which an event or the first-seen time enters or leaves any window. */
    private TreeSet<Long> candidateInstants(Profile p) {
        List<Long> times = new ArrayList<>(p.eventTimes);
        if (p.firstSeen != null) {
            times.add(p.firstSeen);
        }
        TreeSet<Long> instants = new TreeSet<>();
        for (long w : windows) {
            long b = bucket(w);
            long bucketsPerWindow = (w + b - 1) / b;
            for (long t : times) {
                long q = Math.floorDiv(t, b);
                instants.add(q * b);
                instants.add((q + bucketsPerWindow) * b);
            }
        }
        return instants;
    }

    private static void apply(Profile p, Batch b, long at) {
        p.lastBatch = Math.max(p.lastBatch, at);
        b.attributes().forEach((name, value) -> {
            if (value == null) {
                p.attributes.remove(name);
            } else {
                p.attributes.put(name, value);
            }
        });
        b.deletedAttributes().forEach(p.attributes::remove);
        if (b.events().isEmpty()) {
            p.firstSeen = p.firstSeen == null ? at : Math.min(p.firstSeen, at);
        }
        for (Event e : b.events()) {
            long t = timeOf(e, b);
            p.events.add(e);
            p.eventTimes.add(t);
            p.firstSeen = p.firstSeen == null ? t : Math.min(p.firstSeen, t);
        }
    }

    /** One evaluation at T: audiences without audience conditions first, then the nested ones. */
    private void evaluate(long mpid, Profile p, long at, String reason, List<Delta> out) {
        Map<Integer, Boolean> now = new HashMap<>();
        for (boolean nestedPass : new boolean[] {false, true}) {
            for (Audience a : audiences) {
                if (refersToAudience(a.criteria()) == nestedPass) {
                    now.put(a.id(), a.enabled() && holds(a.criteria(), p, at, now));
                }
            }
        }
        for (Audience a : audiences) {
            if (now.get(a.id()) != p.member(a.id())) {
                out.add(flip(mpid, p, a.id(), now.get(a.id()), reason, at));
            }
        }
    }

    private static Delta flip(long mpid, Profile p, int audience, boolean add, String reason, long at) {
        int seq = p.seqs.getOrDefault(audience, 0) + 1;
        p.seqs.put(audience, seq);
        return new Delta(audience, mpid, add ? "add" : "remove", reason, at, seq);
    }

    private boolean holds(Criteria c, Profile p, long at, Map<Integer, Boolean> now) {
        if (c instanceof And and) {
            return and.parts().stream().allMatch(part -> holds(part, p, at, now));
        }
        if (c instanceof Or or) {
            return or.parts().stream().anyMatch(part -> holds(part, p, at, now));
        }
        if (c instanceof Not not) {
            return !holds(not.inner(), p, at, now);
        }
        if (c instanceof UserAttr u) {
            return RefValues.test(u.op(), u.value(), p.attributes.get(u.name()));
        }
        if (c instanceof FirstSeen f) {
            return p.firstSeen != null && inWindow(p.firstSeen, windowMillis(f.within()), at);
        }
        if (c instanceof InAudience in) {
            return now.get(in.id());
        }
        return eventHolds((EventCond) c, p, at);
    }

    private static boolean eventHolds(EventCond c, Profile p, long at) {
        long w = windowMillis(c.within());
        long count = 0;
        List<BigDecimal> values = new ArrayList<>();
        for (int i = 0; i < p.events.size(); i++) {
            Event e = p.events.get(i);
            if (inWindow(p.eventTimes.get(i), w, at) && matches(c, e)) {
                count++;
                BigDecimal v = c.attribute() == null ? null : RefValues.number(attributes(e).get(c.attribute()));
                if (v != null) {
                    values.add(v);
                }
            }
        }
        String aggregate = c.aggregate() == null ? "count" : c.aggregate();
        String op = c.aggregate() == null ? "gte" : c.op();
        BigDecimal value = c.aggregate() == null ? BigDecimal.ONE : c.value();
        BigDecimal sum = values.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
        return switch (aggregate) {
            case "count" -> RefValues.compare(op, BigDecimal.valueOf(count), value);
            case "sum" -> RefValues.compare(op, sum, value);
            case "min" -> !values.isEmpty() && RefValues.compare(op, values.stream().min(BigDecimal::compareTo).get(), value);
            case "max" -> !values.isEmpty() && RefValues.compare(op, values.stream().max(BigDecimal::compareTo).get(), value);
            // avg op v  ⇔  sum op v·n, which stays exact where sum / n would not.
            case "avg" -> !values.isEmpty()
                    && RefValues.compare(op, sum, value.multiply(BigDecimal.valueOf(values.size())));
            default -> throw new IllegalArgumentException(aggregate);
        };
    }

    private static boolean matches(EventCond c, Event e) {
        if (c.type() != null && !c.type().equals(e.type())) {
            return false;
        }
        String name = eventName(e);
        if (c.name() != null && (name == null || !lower(c.name()).equals(lower(name)))) {
            return false;
        }
        Map<String, Object> attributes = attributes(e);
        for (Filter f : c.where()) {
            if (!RefValues.test(f.op(), f.value(), attributes.get(f.attribute()))) {
                return false;
            }
        }
        return true;
    }

    /** The "event name" of events.md. */
    private static String eventName(Event e) {
        return switch (e.type()) {
            case "custom_event", "screen_view", "commerce_event" -> e.name();
            default -> e.type();
        };
    }

    /** custom_attributes, plus the commerce pseudo-attributes. */
    private static Map<String, Object> attributes(Event e) {
        Map<String, Object> all = new HashMap<>(e.customAttributes());
        if (e.isCommerce()) {
            if (e.totalAmount() != null) {
                all.put("$total_amount", e.totalAmount());
            }
            all.put("$product_count", BigDecimal.valueOf(e.productCount()));
        }
        return all;
    }

    /** q(T) − W/b < q(t) ≤ q(T), kept in whole numbers: (q(T) − q(t))·b < W. */
    static boolean inWindow(long t, long w, long at) {
        long b = bucket(w);
        long qt = Math.floorDiv(t, b);
        long qAt = Math.floorDiv(at, b);
        return qt <= qAt && (qAt - qt) * b < w;
    }

    static long bucket(long w) {
        return w <= DAY ? MINUTE : HOUR;
    }

    static long windowMillis(String within) {
        long n = Long.parseLong(within.substring(0, within.length() - 1));
        return switch (within.charAt(within.length() - 1)) {
            case 'm' -> n * MINUTE;
            case 'h' -> n * HOUR;
            case 'd' -> n * DAY;
            default -> throw new IllegalArgumentException(within);
        };
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    public static boolean refersToAudience(Criteria c) {
        if (c instanceof InAudience) {
            return true;
        }
        if (c instanceof And and) {
            return and.parts().stream().anyMatch(ReferenceEvaluator::refersToAudience);
        }
        if (c instanceof Or or) {
            return or.parts().stream().anyMatch(ReferenceEvaluator::refersToAudience);
        }
        return c instanceof Not not && refersToAudience(not.inner());
    }

    private static void collectWindows(Criteria c, TreeSet<Long> into) {
        if (c instanceof EventCond e) {
            into.add(windowMillis(e.within()));
        } else if (c instanceof FirstSeen f) {
            into.add(windowMillis(f.within()));
        } else if (c instanceof And and) {
            and.parts().forEach(part -> collectWindows(part, into));
        } else if (c instanceof Or or) {
            or.parts().forEach(part -> collectWindows(part, into));
        } else if (c instanceof Not not) {
            collectWindows(not.inner(), into);
        }
    }
}
