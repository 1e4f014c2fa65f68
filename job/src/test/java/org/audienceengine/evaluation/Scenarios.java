package org.audienceengine.evaluation;

import org.audienceengine.reference.RefJson;
import org.audienceengine.reference.RefModel.And;
import org.audienceengine.reference.RefModel.Audience;
import org.audienceengine.reference.RefModel.Batch;
import org.audienceengine.reference.RefModel.Criteria;
import org.audienceengine.reference.RefModel.Event;
import org.audienceengine.reference.RefModel.EventCond;
import org.audienceengine.reference.RefModel.Filter;
import org.audienceengine.reference.RefModel.FirstSeen;
import org.audienceengine.reference.RefModel.InAudience;
import org.audienceengine.reference.RefModel.Not;
import org.audienceengine.reference.RefModel.Or;
import org.audienceengine.reference.RefModel.UserAttr;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

/**
 * Random definitions and users for the evaluation properties. Values are drawn from small pools
 * that collide on purpose (case variants, numbers against numeric strings, booleans, lists), and
 * times cluster around bucket edges, window lengths and the profile lifetime, so that expiries,
 * ties and edge instants happen often.
 */
final class Scenarios {
    static final long MINUTE = 60_000L;
    static final long HOUR = 60 * MINUTE;
    static final long DAY = 24 * HOUR;
    /** 2026-01-01T00:00:00Z. */
    private static final long EPOCH = 1_767_225_600_000L;

    /** Minute- and hour-bucket windows; 1441m is an hour-bucket window of 24.02 buckets; 2d equals a lifetime. */
    private static final List<String> WINDOWS = List.of("5m", "30m", "2h", "1d", "1441m", "26h", "2d", "3d", "7d");
    /** Short lifetimes equal to windows, so that a window edge and the profile expiry can coincide. */
    private static final long[] LIFETIMES = {DAY, 2 * DAY, 2 * DAY, 3 * DAY, 36 * HOUR + 17 * MINUTE, 90 * DAY, 90 * DAY};

    record Scenario(List<Audience> audiences, long lifetimeMs, List<Batch> batches) {
        String definitionsJson() {
            return RefJson.definitions(audiences);
        }

        @Override
        public String toString() {
            StringBuilder out = new StringBuilder("lifetime=").append(lifetimeMs).append("ms\n");
            out.append(definitionsJson()).append('\n');
            for (Batch b : batches) {
                out.append(new String(RefJson.batch(b), StandardCharsets.UTF_8)).append('\n');
            }
            return out.toString();
        }
    }

    private final Random r;
    /** Only numeric aggregates over commerce amounts: where exact arithmetic shows. */
    private final boolean aggregatesOnly;

    private Scenarios(Random random, boolean aggregatesOnly) {
        this.r = random;
        this.aggregatesOnly = aggregatesOnly;
    }

    static Scenario generate(Random random) {
        return new Scenarios(random, false).scenario();
    }

    static Scenario aggregates(Random random) {
        return new Scenarios(random, true).scenario();
    }

    private Scenario scenario() {
        List<Audience> audiences = audiences();
        long lifetime = pick(LIFETIMES);
        List<Batch> unordered = new ArrayList<>();
        int users = 1 + r.nextInt(3);
        for (int u = 0; u < users; u++) {
            unordered.addAll(user(1_000L + r.nextInt(1_000_000) * 7L + u, lifetime));
        }
        // The input order is random across and within users; ties of batch time keep it.
        Collections.shuffle(unordered, r);
        List<Batch> batches = new ArrayList<>();
        for (int i = 0; i < unordered.size(); i++) {
            Batch b = unordered.get(i);
            batches.add(new Batch(b.mpid(), i, b.timestamp(), b.attributes(), b.deletedAttributes(), b.events()));
        }
        return new Scenario(audiences, lifetime, batches);
    }

    private List<Audience> audiences() {
        TreeSet<Integer> ids = new TreeSet<>();
        int plain = 2 + r.nextInt(3);
        while (ids.size() < plain) {
            ids.add(1 + r.nextInt(500));
        }
        List<Audience> out = new ArrayList<>();
        List<Integer> enabled = new ArrayList<>();
        for (int id : ids) {
            boolean on = r.nextInt(12) != 0;
            out.add(new Audience(id, on, aggregatesOnly ? event() : criteria(0)));
            if (on) {
                enabled.add(id);
            }
        }
        if (!aggregatesOnly && !enabled.isEmpty() && r.nextInt(5) < 2) {
            int id = 501 + r.nextInt(500);
            out.add(new Audience(id, true, nested(enabled)));
        }
        Collections.shuffle(out, r);
        return out;
    }

    /** One level of nesting: references to enabled plain audiences, maybe negated, maybe mixed with a leaf. */
    private Criteria nested(List<Integer> enabled) {
        List<Criteria> parts = new ArrayList<>();
        int refs = 1 + r.nextInt(Math.min(2, enabled.size()));
        for (int i = 0; i < refs; i++) {
            Criteria ref = new InAudience(enabled.get(r.nextInt(enabled.size())));
            parts.add(r.nextInt(3) == 0 ? new Not(ref) : ref);
        }
        if (r.nextBoolean()) {
            parts.add(leaf());
        }
        if (parts.size() == 1) {
            return parts.get(0);
        }
        return r.nextBoolean() ? new And(parts) : new Or(parts);
    }

    private Criteria criteria(int depth) {
        int roll = r.nextInt(100);
        if (depth >= 3 || roll < 45) {
            return leaf();
        }
        if (roll < 60) {
            return new Not(criteria(depth + 1));
        }
        List<Criteria> parts = new ArrayList<>();
        for (int i = 1 + r.nextInt(3); i > 0; i--) {
            parts.add(criteria(depth + 1));
        }
        return roll < 80 ? new And(parts) : new Or(parts);
    }

    private Criteria leaf() {
        int roll = r.nextInt(100);
        if (roll < 58) {
            return event();
        }
        if (roll < 88) {
            return userAttribute();
        }
        return new FirstSeen(pick(WINDOWS));
    }

    /** Thresholds that sums and averages of the amounts below hit exactly (0.1 + 0.2, 10 + 50, …). */
    private static final String[] THRESHOLDS = {"0", "0.2", "0.3", "0.6", "1", "10", "12.5", "22.5", "50", "60", "99.99", "100"};

    /** For the aggregates-only scenarios: amounts whose double sums miss these thresholds (0.1 + 0.2 > 0.3). */
    private static final String[] SMALL_AMOUNTS = {null, "0.1", "0.2", "0.3", "0.7", "-0.1"};
    private static final String[] SMALL_THRESHOLDS = {"0.2", "0.3", "0.6", "0.8", "0.9", "1"};
    private static final String[] LONG_WINDOWS = {"1d", "26h", "2d", "3d", "7d"};

    private static final String[][] MATCHERS = {
        {"custom_event", "Play"}, {"custom_event", "play"}, {null, "PLAY"}, {"custom_event", null},
        {"commerce_event", "purchase"}, {"commerce_event", "ADD_TO_CART"}, {"commerce_event", null},
        {null, "purchase"}, {"screen_view", "home"}, {null, "session_start"}, {null, null},
    };

    private EventCond event() {
        String[] matcher = MATCHERS[r.nextInt(MATCHERS.length)];
        List<Filter> where = new ArrayList<>();
        for (int i = r.nextInt(10) < 6 || aggregatesOnly ? 0 : 1 + r.nextInt(2); i > 0; i--) {
            where.add(where());
        }
        String within = aggregatesOnly ? pick(LONG_WINDOWS) : pick(WINDOWS);
        int roll = aggregatesOnly ? 99 : r.nextInt(100);
        if (roll < 35) {
            return new EventCond(matcher[0], matcher[1], where, within, null, null, null, null);
        }
        if (roll < 65) {
            boolean atLeast = r.nextBoolean();
            BigDecimal n = BigDecimal.valueOf(atLeast ? 1 + r.nextInt(3) : 1 + r.nextInt(2));
            return new EventCond(matcher[0], matcher[1], where, within, "count", null, atLeast ? "gte" : "lt", n);
        }
        if (aggregatesOnly || r.nextBoolean()) {
            // Aggregates read amounts, so mostly look at the events that carry them.
            matcher = MATCHERS[pick(new int[] {3, 4, 6, 10})];
        }
        String aggregate = pick(new String[] {"sum", "min", "max", "avg"});
        String attribute = r.nextInt(3) == 0 ? "price" : "$total_amount";
        String op = pick(new String[] {"gt", "gte", "lt", "lte"});
        BigDecimal value = new BigDecimal(pick(aggregatesOnly ? SMALL_THRESHOLDS : THRESHOLDS));
        return new EventCond(matcher[0], matcher[1], where, within, aggregate, attribute, op, value);
    }

    private Filter where() {
        return switch (r.nextInt(9)) {
            case 0 -> new Filter("category", "equals", "shoes");
            case 1 -> new Filter("category", "equals", "SHOES");
            case 2 -> new Filter("category", "in", List.of("hats", "Shoes"));
            case 3 -> new Filter("price", "gt", new BigDecimal("11.5"));
            case 4 -> new Filter("price", "equals", new BigDecimal("12"));
            case 5 -> new Filter("price", "equals", "12");
            case 6 -> new Filter("flag", "equals", true);
            case 7 -> new Filter("$total_amount", "gt", new BigDecimal("20"));
            default -> new Filter("category", "exists", null);
        };
    }

    private UserAttr userAttribute() {
        return switch (r.nextInt(13)) {
            case 0 -> new UserAttr("country", "equals", "us");
            case 1 -> new UserAttr("country", "in", List.of("US", "CA"));
            case 2 -> new UserAttr("country", "not_equals", "FR");
            case 3 -> new UserAttr("country", "exists", null);
            case 4 -> new UserAttr("age", "gt", new BigDecimal("29.5"));
            case 5 -> new UserAttr("age", "equals", new BigDecimal("30"));
            case 6 -> new UserAttr("age", "equals", "30");
            case 7 -> new UserAttr("tags", "equals", "vip");
            case 8 -> new UserAttr("tags", "not_equals", "vip");
            case 9 -> new UserAttr("tags", "exists", null);
            case 10 -> new UserAttr("vip", "equals", true);
            case 11 -> new UserAttr("country", "not_exists", null);
            default -> new UserAttr("age", "exists", null);
        };
    }

    /** One user's batches, in time order (the caller shuffles). */
    private List<Batch> user(long mpid, long lifetime) {
        long unit = pick(new long[] {1, MINUTE, HOUR, HOUR});
        long t = snap(EPOCH + r.nextInt((int) DAY), unit);
        List<Batch> out = new ArrayList<>();
        for (int i = 1 + r.nextInt(8); i > 0; i--) {
            t += snap(gap(lifetime), unit);
            out.add(batch(mpid, t, unit));
        }
        return out;
    }

    private long gap(long lifetime) {
        int roll = r.nextInt(100);
        if (roll < 8) {
            return 0;
        }
        if (roll < 20) {
            return 1_000L + r.nextInt(59_000);
        }
        if (roll < 35) {
            return MINUTE + r.nextInt((int) (9 * MINUTE));
        }
        if (roll < 50) {
            return pick(new long[] {5 * MINUTE, 30 * MINUTE, 2 * HOUR, DAY, 26 * HOUR, 3 * DAY, lifetime});
        }
        if (roll < 65) {
            return 10 * MINUTE + r.nextInt((int) (170 * MINUTE));
        }
        if (roll < 80) {
            return 2 * HOUR + (long) r.nextInt((int) (18 * HOUR));
        }
        if (roll < 95) {
            return DAY + (long) r.nextInt((int) (3 * DAY));
        }
        return 3 * DAY + (long) r.nextInt((int) (6 * DAY));
    }

    private Batch batch(long mpid, long timestamp, long unit) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        if (r.nextBoolean()) {
            for (int i = 1 + r.nextInt(2); i > 0; i--) {
                String name = pick(new String[] {"country", "age", "tags", "vip"});
                attributes.put(name, attributeValue(name));
            }
        }
        List<String> deleted = r.nextInt(10) == 0 ? List.of(pick(new String[] {"country", "age", "tags"})) : List.of();
        List<Event> events = new ArrayList<>();
        int n = pick(new int[] {0, 0, 1, 1, 1, 1, 2, 2, 2, 3});
        for (int i = 0; i < n; i++) {
            events.add(event(timestamp, unit));
        }
        return new Batch(mpid, 0, timestamp, attributes, deleted, events);
    }

    private Object attributeValue(String name) {
        Object[] pool = switch (name) {
            case "country" -> new Object[] {"US", "us", "CA", "FR", new BigDecimal("7"), null};
            case "age" -> new Object[] {new BigDecimal("30"), "30", "30.0", "thirty", true, new BigDecimal("45.5"), null};
            case "tags" -> new Object[] {List.of("vip", "new"), List.of(), List.of("VIP"), List.of("old"), null};
            default -> new Object[] {true, false, "true"};
        };
        return pool[r.nextInt(pool.length)];
    }

    private Event event(long timestamp, long unit) {
        Long time = eventTime(timestamp, unit);
        Map<String, Object> custom = new HashMap<>();
        if (r.nextInt(10) < 6) {
            custom.put("category", pick(new String[] {"shoes", "Shoes", "hats", "SHOES"}));
        }
        if (r.nextBoolean()) {
            Object[] prices = {new BigDecimal("12"), "12", "12.0", new BigDecimal("25.5"), "abc", true,
                new BigDecimal("0.1"), new BigDecimal("0.2"), "0.3", new BigDecimal("7"),
                // Past the range of a double, and past that of any BigDecimal. No -1e400: sums
                // are decimals of 34 digits, and 1e400 + 25.5 - 1e400 would lose the 25.5.
                new BigDecimal("1E+400"), "1e400", "1e2147483648"};
            custom.put("price", prices[r.nextInt(prices.length)]);
        }
        if (r.nextInt(5) == 0) {
            custom.put("flag", new Object[] {true, false, "true"}[r.nextInt(3)]);
        }
        return switch (aggregatesOnly ? 2 : r.nextInt(7)) {
            case 0, 1 -> new Event("custom_event", pick(new String[] {"Play", "play", "PLAY", "Search"}), time, custom, null, 0);
            case 2, 3 -> {
                // Refunds too: a negative amount lowers a sum, and a lowered sum may leave an audience.
                String[] amounts = {null, "0.1", "0.2", "0.3", "0.7", "10", "12.5", "49.99", "50", "100.01", "1E+400",
                    "-10", "-0.1"};
                String amount = pick(aggregatesOnly ? SMALL_AMOUNTS : amounts);
                yield new Event("commerce_event", pick(new String[] {"purchase", "add_to_cart"}), time, custom,
                        amount == null ? null : new BigDecimal(amount), r.nextInt(4));
            }
            case 4 -> new Event("screen_view", pick(new String[] {"Home", "home", "Cart"}), time, custom, null, 0);
            default -> new Event("session_start", null, time, custom, null, 0);
        };
    }

    /** Null (the batch's time applies), the batch's time, a little later, or earlier (late events). */
    private Long eventTime(long timestamp, long unit) {
        int roll = r.nextInt(100);
        if (roll < 35) {
            return null;
        }
        long offset;
        if (roll < 50) {
            offset = 0;
        } else if (roll < 65) {
            offset = -(1_000L + r.nextInt(119_000));
        } else if (roll < 80) {
            offset = -(MINUTE + r.nextInt((int) (89 * MINUTE)));
        } else if (roll < 90) {
            offset = -(HOUR + (long) r.nextInt((int) (49 * HOUR)));
        } else {
            offset = 1_000L + r.nextInt((int) (5 * MINUTE));
        }
        return timestamp + snap(offset, unit);
    }

    private static long snap(long t, long unit) {
        return Math.floorDiv(t, unit) * unit;
    }

    private <T> T pick(T[] options) {
        return options[r.nextInt(options.length)];
    }

    private String pick(List<String> options) {
        return options.get(r.nextInt(options.size()));
    }

    private long pick(long[] options) {
        return options[r.nextInt(options.length)];
    }

    private int pick(int[] options) {
        return options[r.nextInt(options.length)];
    }

    static List<Long> users(Scenario s) {
        return s.batches().stream().map(Batch::mpid).distinct().sorted().toList();
    }
}
