package org.audienceengine.sample;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the shipped sample: Events-API batches as JSON Lines (events.md), one batch a line.
 * Everything comes from one seeded {@link SampleRandom}, so the file is reproducible byte for byte and a
 * replay of it gives the same deltas every time.
 *
 * <p>Users come in bursts of sessions separated by silences of days to weeks, so windows expire
 * between visits and users leave audiences without sending anything; some stop for good, long
 * enough for their profile lifetime to run out before the end.
 */
public final class SampleGenerator {
    private static final long MIN = 60_000L, HOUR = 60 * MIN, DAY = 24 * HOUR;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JSON.getNodeFactory();
    // city|country|latitude|longitude|weight
    private record Line(long time, byte[] bytes) {}

    private final SampleRandom rng;
    private final long start, end;
    private final List<Line> lines = new ArrayList<>();
    private final List<SampleUser> users = new ArrayList<>();
    // The session being built: its events, and the profile updates each event causes (sent with it).
    private SampleUser u;
    private long clock;
    private final List<ObjectNode> events = new ArrayList<>(), updates = new ArrayList<>();

    private SampleGenerator(long seed, long start, long days) {
        this.rng = new SampleRandom(seed);
        this.start = start;
        this.end = start + days * DAY;
    }

    public static void main(String[] args) throws IOException {
        // Defaults: the shipped sample. 1767225600000 is 2026-01-01T00:00:00Z; 120 days is about four months.
        Map<String, String> o = new HashMap<>(Map.of("--out", "conf/sample/events.jsonl", "--users", "400",
                "--batches", "6000", "--seed", "20260101", "--start-ms", "1767225600000", "--days", "120"));
        for (int i = 0; i < args.length; i += 2) {
            if (!o.containsKey(args[i]) || i + 1 == args.length) {
                System.err.println("usage: SampleGenerator [--out FILE] [--users N] [--batches N] [--seed S]"
                        + " [--start-ms MS] [--days D]");
                System.exit(2);
            }
            o.put(args[i], args[i + 1]);
        }
        new SampleGenerator(Long.parseLong(o.get("--seed")), Long.parseLong(o.get("--start-ms")), Long.parseLong(o.get("--days")))
                .run(Integer.parseInt(o.get("--users")), Integer.parseInt(o.get("--batches")), Path.of(o.get("--out")));
    }

    private void run(int userCount, int batchTarget, Path out) throws IOException {
        double[] weight = new double[userCount];
        double sum = 0;
        for (int i = 0; i < userCount; i++) {
            users.add(SampleUser.create(i, rng, start));
            weight[i] = Math.exp(rng.nextGaussian() * 0.6); // a few heavy users, many light ones
            sum += weight[i];
        }
        for (int i = 0; i < userCount; i++) {
            // Early joiners are the existing customer base; the rest arrive through the period.
            double joinDay = rng.chance(45) ? rng.nextDouble() * 7 : 7 + rng.nextDouble() * Math.max(1, (end - start) / DAY - 17);
            long join = start + (long) (joinDay * DAY);
            long stop = rng.chance(15) ? join + 3 * DAY + (long) (rng.nextDouble() * (end - join - 3 * DAY)) : end;
            simulate(users.get(i), join, stop, (int) Math.max(8, Math.round(batchTarget * weight[i] / sum)));
        }
        int good = lines.size();
        lines.sort((a, b) -> Long.compare(a.time, b.time));
        for (int i = 0; i + 12 < lines.size(); i++) {
            if (rng.nextInt(100) == 0) { // a request that the producer retried a little later
                lines.add(i + 1 + rng.nextInt(10), lines.remove(i));
            } else if (rng.nextInt(400) == 0) { // at-least-once delivery: the same request twice
                lines.add(i + 1 + rng.nextInt(10), lines.get(i));
            }
        }
        int redelivered = lines.size() - good, bad = 12;
        for (int k = bad - 1; k >= 0; k--) {
            int pos = Math.max(0, Math.min(lines.size() - 1, (k + 1) * lines.size() / (bad + 1) + rng.nextInt(41) - 20));
            lines.add(pos, new Line(lines.get(pos).time, badLine(k, lines.get(pos))));
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(out))) {
            for (Line line : lines) {
                os.write(line.bytes);
                os.write('\n');
            }
        }
        System.err.printf("%d users, %d batches, %d redelivered, %d bad lines, %s .. %s -> %s%n", userCount, good,
                redelivered, bad, Instant.ofEpochMilli(start), Instant.ofEpochMilli(lines.get(lines.size() - 1).time), out);
    }

    /** Spreads a user's batch budget over bursts of sessions between join and stop. */
    private void simulate(SampleUser user, long join, long stop, int budget) {
        u = user;
        double perBurst = u.noMpid ? 1 : 3, days = Math.max(1, (stop - join) / (double) DAY);
        double gapMean = Math.min(30, Math.max(2, days / Math.max(1, budget / perBurst)));
        for (long t = join; budget > 0 && t < stop; ) {
            for (int s = 1 + rng.nextInt(Math.max(1, Math.min(4, budget / 12))); s > 0 && budget > 0 && t < stop; s--) {
                budget -= u.noMpid ? storePurchase(t) : session(t);
                t = clock + 20 * MIN + (long) (rng.nextDouble() * 20 * HOUR);
            }
            // Mostly days, now and then weeks; users who stay away longer are the ones who stop.
            t += (long) (Math.min(45, 1 - Math.log(1 - rng.nextDouble()) * (gapMean - 1)) * DAY);
        }
    }

    private int storePurchase(long t) {
        clock = t;
        purchase(items(1 + rng.nextInt(3)), "store").set("location", location(false));
        return flush();
    }

    private int session(long t) {
        clock = t;
        ObjectNode opened = ev("session_start", obj());
        if (u.locates && rng.nextBoolean()) opened.set("location", location(rng.nextInt(25) == 0));
        if (u.first && !u.web) ev("first_run", obj());
        if (u.consent != null && !u.first && rng.chance(3)) { // changed in the privacy settings
            boolean was = u.consent.path("marketing").path("consented").asBoolean();
            u.consent.putObject("marketing").put("consented", !was).put("timestamp_unixtime_ms", t);
            u.consentChanged = true;
        }
        if (!u.cart.isEmpty() && rng.chance(40)) purchase(u.cart, u.web ? "web" : "app"); // came back for the cart
        switch (rng.pick(u.taste.length, k -> u.taste[k])) {
            case SampleVocabulary.BROWSE -> {
                screen("Home");
                for (int n = 1 + rng.nextInt(4); n > 0; n--) {
                    screen("Product Detail");
                    if (rng.nextBoolean()) commerce("view_detail", items(1), null);
                }
            }
            case SampleVocabulary.SEARCH -> {
                screen("Search");
                for (int n = 1 + rng.nextInt(4); n > 0; n--) {
                    String q = rng.any(SampleVocabulary.QUERIES);
                    q = u.bargain && !q.contains("sale") && rng.nextBoolean() ? q + " sale" : q;
                    custom("Search", "search").put("query", q).put("results", rng.nextInt(60));
                }
            }
            case SampleVocabulary.SHOP -> {
                List<String[]> picked = items(1 + rng.nextInt(2));
                screen("Product Detail");
                commerce("view_detail", picked, null);
                commerce("add_to_cart", picked, null);
                u.cart.addAll(picked);
                if (rng.chance(35)) { // most carts are left for later, or for good
                    screen("Cart");
                    commerce("checkout", u.cart, null);
                    purchase(u.cart, u.web ? "web" : "app");
                } else if (rng.chance(15)) {
                    commerce("remove_from_cart", List.<String[]>of(u.cart.remove(0)), null);
                }
            }
            case SampleVocabulary.VIDEO -> {
                for (int n = 1 + rng.nextInt(4); n > 0; n--, clock += rng.nextInt(300_000)) {
                    custom("Video Watched", "media").put("video_id", "v-" + (100 + rng.nextInt(40)))
                            .put("seconds_watched", rng.chance(20) ? 3 + rng.nextInt(15) : 20 + rng.nextInt(600));
                }
            }
            case SampleVocabulary.ARTICLE -> {
                for (int n = 1 + rng.nextInt(3); n > 0; n--) {
                    custom("Article Read", "user_content").put("article", "guide-" + (1 + rng.nextInt(30)));
                }
            }
            case SampleVocabulary.STORE -> {
                screen("Store Locator");
                custom("Store Visit", "location").put("store_id", "ST-" + u.city[0].substring(0, 3).toUpperCase());
                ((ObjectNode) events.get(events.size() - 1).get("data")).set("location", location(false));
                if (rng.nextBoolean()) purchase(items(1 + rng.nextInt(2)), "store");
            }
            case SampleVocabulary.PRICING -> {
                for (int n = 1 + rng.nextInt(2); n > 0; n--) screen("Pricing");
                if (rng.chance(25)) {
                    String plan = rng.nextBoolean() ? "plus" : "premium";
                    custom("Subscription Started", "transaction").put("plan", plan);
                    update("plan", NODES.textNode(plan));
                }
            }
            default -> {
                custom("Preferences Updated", "user_preference");
                ArrayNode list = u.attrs.has("interests") ? u.attrs.get("interests").deepCopy() : JSON.createArrayNode();
                SampleUser.addIfAbsent(list, rng.any(SampleVocabulary.INTERESTS));
                update("interests", list);
                if (!u.attrs.has("age") && rng.nextBoolean()) update("age", NODES.numberNode(18 + rng.nextInt(50)));
            }
        }
        if (rng.chance(8)) custom("Share", "social").put("channel", rng.nextBoolean() ? "whatsapp" : "email");
        if (rng.chance(30)) ev("session_end", obj());
        return flush();
    }

    private ObjectNode ev(String type, ObjectNode data) {
        clock += 5_000 + rng.nextInt(150_000);
        events.add(obj().put("event_type", type).set("data", data.put("timestamp_unixtime_ms", clock)));
        updates.add(null);
        return data;
    }

    private void screen(String name) {
        ev("screen_view", obj().put("screen_name", name));
    }

    private ObjectNode custom(String name, String type) {
        ObjectNode data = ev("custom_event", obj().put("event_name", name).put("custom_event_type", type));
        return data.putObject("custom_attributes");
    }

    /** Records a profile change caused by the latest event; it reaches the profile when that event is sent. */
    private void update(String name, JsonNode value) {
        int last = updates.size() - 1;
        updates.set(last, (updates.get(last) == null ? obj() : updates.get(last)).set(name, value));
    }

    private ObjectNode commerce(String action, List<String[]> items, String channel) {
        ObjectNode d = obj(), pa = d.putObject("product_action").put("action", action);
        ArrayNode products = pa.putArray("products");
        double total = 0;
        for (String[] p : items) {
            double price = Double.parseDouble(p[3]);
            int qty = price < 40 && rng.nextInt(4) == 0 ? 2 : 1;
            products.addObject().put("id", p[0]).put("name", p[1]).put("category", p[2]).put("price", price)
                    .put("quantity", qty);
            total += qty * price;
        }
        pa.put("total_amount", Math.round(total * 100) / 100.0);
        ObjectNode attrs = d.putObject("custom_attributes").put("category", items.get(0)[2]);
        if (channel != null) {
            attrs.put("channel", channel);
            pa.put("transaction_id", "T" + Long.toString(rng.nextLong() >>> 24, 36));
            d.put("currency_code", "USD");
        }
        return ev("commerce_event", d);
    }

    private ObjectNode purchase(List<String[]> items, String channel) {
        ObjectNode d = commerce("purchase", items, channel);
        u.ltv = Math.round((u.ltv + d.path("product_action").path("total_amount").asDouble()) * 100) / 100.0;
        update("lifetime_value", NODES.numberNode(u.ltv));
        u.cart = new ArrayList<>();
        return d;
    }

    /** Sends the session as uploads of a few events each, as the mobile SDKs do. */
    private int flush() {
        int batches = 0;
        for (int i = 0, k; i < events.size(); i += k, batches++) {
            k = Math.min(events.size() - i, 1 + rng.nextInt(3));
            ArrayNode batchEvents = JSON.createArrayNode();
            ObjectNode changed = obj();
            for (int j = i; j < i + k; j++) {
                batchEvents.add(events.get(j));
                if (updates.get(j) != null) changed.setAll(updates.get(j));
            }
            long last = events.get(i + k - 1).get("data").get("timestamp_unixtime_ms").asLong();
            emit(last + 300 + rng.nextInt(20_000), batchEvents, changed, i == 0);
        }
        events.clear();
        updates.clear();
        return batches;
    }

    private void emit(long time, ArrayNode batchEvents, ObjectNode changed, boolean sessionStart) {
        ObjectNode b = header(u, time);
        if (sessionStart && u.loyalty != null) ((ObjectNode) b.get("user_identities")).put("other", u.loyalty);
        u.attrs.setAll(changed);
        ObjectNode attrs = u.first ? u.attrs.deepCopy() : changed;
        if (!u.first && rng.nextInt(100) == 0 && u.attrs.has("favorite_brand")) { // cleared on the profile screen
            if (rng.nextBoolean()) attrs.putNull("favorite_brand");
            else b.putArray("deleted_user_attributes").add("favorite_brand");
            u.attrs.remove("favorite_brand");
        } else if (!u.first && rng.nextInt(300) == 0 && u.attrs.has("age")) {
            attrs.putNull("age");
            u.attrs.remove("age");
        }
        if (!attrs.isEmpty()) b.set("user_attributes", attrs);
        if (sessionStart && !u.device.isEmpty()) b.set("device_info", u.device.deepCopy());
        if (u.consent != null && (u.first || u.consentChanged)) {
            if (u.first) u.consent.forEach(purpose -> ((ObjectNode) purpose).put("timestamp_unixtime_ms", time));
            b.putObject("consent_state").set("gdpr", u.consent.deepCopy());
            u.consentChanged = false;
        }
        b.set("events", batchEvents);
        u.first = false;
        lines.add(new Line(time, bytes(b)));
    }

    private ObjectNode header(SampleUser user, long time) {
        ObjectNode b = obj();
        if (!user.noMpid && rng.chance(user.web ? 40 : 3)) b.put("mpid", Long.toString(user.mpid)); // as the web SDK sends it
        else if (!user.noMpid) b.put("mpid", user.mpid);
        b.put("environment", user.env).put("timestamp_unixtime_ms", time).put("source_request_id", rng.uuid());
        ObjectNode ids = b.putObject("user_identities");
        if (user.customerId != null) ids.put("customer_id", user.customerId);
        String email = time >= user.emailChangeAt ? user.newEmail : user.email;
        if (email != null && rng.nextInt(12) == 0) { // typed by hand
            ids.put("email", " " + email.substring(0, 1).toUpperCase() + email.substring(1) + " ");
        } else if (email != null) {
            ids.put("email", email);
        }
        return b;
    }

    /** One of each kind of events.md "Bad input" (see {@link SampleBadLines}), near a good line. */
    private byte[] badLine(int kind, Line near) {
        SampleUser user = users.get(rng.nextInt(users.size()));
        user = user.noMpid ? users.get(0) : user;
        return SampleBadLines.make(kind, near.bytes, near.time, header(user, near.time), user.mpid, rng);
    }

    private List<String[]> items(int n) {
        List<String[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double r = rng.nextDouble(); // squared: cheap items sell more often
            out.add(SampleVocabulary.PRODUCTS[(int) (r * r * SampleVocabulary.PRODUCTS.length)].split("\\|"));
        }
        return out;
    }

    private ObjectNode location(boolean travelling) {
        String[] c = travelling ? rng.any(SampleVocabulary.CITIES).split("\\|") : u.city;
        double lat = Double.parseDouble(c[2]) + (rng.nextDouble() - 0.5) * 0.2;
        double lon = Double.parseDouble(c[3]) + (rng.nextDouble() - 0.5) * 0.3;
        return obj().put("latitude", Math.round(lat * 1e5) / 1e5).put("longitude", Math.round(lon * 1e5) / 1e5);
    }

    static ObjectNode obj() {
        return JSON.createObjectNode();
    }

    static byte[] bytes(ObjectNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
