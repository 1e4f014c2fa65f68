package org.audienceengine.bench;

import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.SplittableRandom;

/**
 * Realistic Events-API batches for the benchmarks, fast enough to make millions: users drawn with
 * a skew (the first 1 % of users send about a fifth of all batches, half of the users one or two),
 * batches spread evenly over a span of time ending at {@code end}, mixed event types (screens,
 * custom events with attributes, commerce with amounts, sessions). A user's first batch carries
 * identities, attributes and consent; later ones change an attribute in one of ten and an email
 * in one of fifty. The same seed gives the same batches.
 */
public final class BenchBatches {
    static final String[] SCREENS = {"Home", "Search", "Product", "Cart", "Checkout", "Account", "Deals", "Help",
        "Wishlist", "Orders"};
    static final String[] CUSTOM = {"Search", "Video Watched", "Article Read", "Share", "Store Visit",
        "Preferences Updated", "Subscription Started", "Coupon Used", "Review Written", "App Rated", "Level Up",
        "Invite Sent"};
    static final String[] CUSTOM_TYPES = {"search", "media", "user_content", "social", "location", "user_preference",
        "transaction", "transaction", "user_content", "other", "other", "social"};
    static final String[] ACTIONS = {"view_detail", "add_to_cart", "purchase", "checkout", "remove_from_cart",
        "add_to_wishlist"};
    static final String[] CATEGORIES = {"outdoor", "accessories", "shoes", "electronics", "books", "garden"};
    static final String[] COUNTRIES = {"US", "DE", "FR", "GB", "NL", "ES", "IT", "CA", "BR", "JP"};
    static final String[] PLANS = {"free", "basic", "pro", "team"};

    private final int users;
    private final long start;
    private final long stepMs;
    private final SplittableRandom random;
    private final BitSet seen = new BitSet();
    private long made;
    private long lastMpid;

    /**
     * @param users how many distinct users the batches come from
     * @param batches how many batches will be taken (their times span {@code spanMs} evenly)
     */
    public BenchBatches(int users, long batches, long end, long spanMs, long seed) {
        this.users = users;
        this.start = end - spanMs;
        this.stepMs = Math.max(1, spanMs / Math.max(1, batches));
        this.random = new SplittableRandom(seed);
    }

    /** The mpid of the user with this index (spread over the long range, as mParticle's are). */
    public static long mpid(int user) {
        long z = (user + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        return (z ^ (z >>> 27)) & Long.MAX_VALUE;
    }

    /** The mpid of the batch made last. */
    public long lastMpid() {
        return lastMpid;
    }

    /** The next batch as UTF-8 JSON. */
    public byte[] next() {
        return nextText().getBytes(StandardCharsets.UTF_8);
    }

    public String nextText() {
        double r = random.nextDouble();
        int user = (int) Math.min(users - 1, (long) (users * r * r * r));
        long at = start + made * stepMs;
        made++;
        lastMpid = mpid(user);
        boolean first = !seen.get(user);
        seen.set(user);
        StringBuilder b = new StringBuilder(640);
        b.append("{\"mpid\":").append(mpid(user)).append(",\"environment\":\"production\",\"timestamp_unixtime_ms\":")
                .append(at).append(",\"source_request_id\":\"r-").append(made).append('"');
        if (first || random.nextInt(50) == 0) {
            b.append(",\"user_identities\":{\"customer_id\":\"C").append(user).append("\",\"email\":\"u").append(user)
                    .append(first ? "" : "." + random.nextInt(1000)).append("@example.com\"}");
        }
        if (first) {
            b.append(",\"user_attributes\":{\"country\":\"").append(pick(COUNTRIES)).append("\",\"plan\":\"")
                    .append(pick(PLANS)).append("\",\"age\":").append(18 + random.nextInt(60))
                    .append(",\"lifetime_value\":").append(random.nextInt(200_000) / 100.0)
                    .append(",\"newsletter\":").append(random.nextBoolean()).append('}')
                    .append(",\"device_info\":{\"platform\":\"").append(random.nextBoolean() ? "iOS" : "Android")
                    .append("\",\"os_version\":\"").append(12 + random.nextInt(6)).append(".1\"}")
                    .append(",\"consent_state\":{\"gdpr\":{\"marketing\":{\"consented\":").append(random.nextInt(3) > 0)
                    .append(",\"timestamp_unixtime_ms\":").append(at).append("}}}");
        } else if (random.nextInt(10) == 0) {
            b.append(",\"user_attributes\":{\"plan\":\"").append(pick(PLANS)).append("\",\"lifetime_value\":")
                    .append(random.nextInt(200_000) / 100.0).append('}');
        }
        b.append(",\"events\":[");
        int events = 1 + random.nextInt(4);
        for (int e = 0; e < events; e++) {
            if (e > 0) {
                b.append(',');
            }
            event(b, at - (events - 1 - e) * 7_000L);
        }
        return b.append("]}").toString();
    }

    private void event(StringBuilder b, long t) {
        int kind = random.nextInt(20);
        if (kind < 7) {
            b.append("{\"event_type\":\"screen_view\",\"data\":{\"screen_name\":\"").append(pick(SCREENS))
                    .append("\",\"timestamp_unixtime_ms\":").append(t).append("}}");
        } else if (kind < 13) {
            int i = random.nextInt(CUSTOM.length);
            b.append("{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"").append(CUSTOM[i])
                    .append("\",\"custom_event_type\":\"").append(CUSTOM_TYPES[i])
                    .append("\",\"timestamp_unixtime_ms\":").append(t)
                    .append(",\"custom_attributes\":{\"category\":\"").append(pick(CATEGORIES))
                    .append("\",\"value\":").append(random.nextInt(1000)).append("}}}");
        } else if (kind < 18) {
            String action = pick(ACTIONS);
            b.append("{\"event_type\":\"commerce_event\",\"data\":{\"timestamp_unixtime_ms\":").append(t)
                    .append(",\"product_action\":{\"action\":\"").append(action).append("\",\"total_amount\":")
                    .append(random.nextInt(50_000) / 100.0).append(",\"products\":[{\"id\":\"SKU-")
                    .append(random.nextInt(500)).append("\",\"category\":\"").append(pick(CATEGORIES))
                    .append("\",\"price\":").append(random.nextInt(300)).append(".0,\"quantity\":1}]},")
                    .append("\"custom_attributes\":{\"category\":\"").append(pick(CATEGORIES)).append("\"}}}");
        } else {
            b.append("{\"event_type\":\"").append(kind == 18 ? "session_start" : "session_end")
                    .append("\",\"data\":{\"timestamp_unixtime_ms\":").append(t).append("}}");
        }
    }

    private String pick(String[] values) {
        return values[random.nextInt(values.length)];
    }
}
