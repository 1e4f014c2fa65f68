package org.audienceengine.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Audience sets of any size for the benchmarks, over the vocabulary of {@link BenchBatches}: event
 * conditions with filters, counts and aggregates over windows from 1 h to 90 d, attribute,
 * identity, consent and first-seen conditions, and one audience in ten nested on an earlier one.
 * A tenth are profile-only (no event condition). The same size and seed give the same document.
 *
 * <p>With {@code reached} below {@code count}, the audiences after the first {@code reached} are
 * another app's: the same shapes over event names and attributes the batches never carry (and
 * the same consent, identity, device and first-seen conditions), so no batch can change them.
 * They measure what the audiences a batch cannot change cost.
 */
public final class BenchAudiences {
    private static final String[] WINDOWS = {"1h", "6h", "24h", "7d", "14d", "30d", "60d", "90d"};

    private BenchAudiences() {}

    public static String document(int count, long seed) {
        return document(count, count, seed);
    }

    public static String document(int count, int reached, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<String> audiences = new ArrayList<>();
        for (int id = 1; id <= count; id++) {
            String criteria = criteria(id, random);
            audiences.add("{\"id\":" + id + ",\"name\":\"Bench audience " + id + "\",\"external_name\":\"bench_" + id
                    + "\",\"enabled\":true,\"criteria\":" + (id > reached ? foreign(criteria) : criteria) + "}");
        }
        return "{\"audiences\":[" + String.join(",", audiences) + "]}";
    }

    private static String criteria(int id, SplittableRandom r) {
        if (id > 10 && id % 10 == 0) {
            return "{\"and\":[{\"audience\":{\"id\":" + (id - 1 - r.nextInt(9)) + "}}," + attribute(r) + "]}";
        }
        return switch (id % 10) {
            case 1 -> event(r);
            case 2 -> "{\"and\":[" + event(r) + "," + attribute(r) + "]}";
            case 3 -> "{\"and\":[" + event(r) + ",{\"not\":" + event(r) + "}]}";
            case 4 -> "{\"event\":{\"type\":\"commerce_event\",\"name\":\"purchase\",\"within\":\"" + window(r)
                    + "\",\"" + pick(r, "sum", "max", "avg") + "\":{\"attribute\":\"$total_amount\",\"op\":\"gte\","
                    + "\"value\":" + (50 + r.nextInt(500)) + "}}}";
            case 5 -> "{\"and\":[" + event(r) + ",{\"consent\":{\"purpose\":\"marketing\",\"consented\":true}},"
                    + "{\"identity\":{\"type\":\"email\",\"op\":\"exists\"}}]}";
            case 6 -> "{\"or\":[" + event(r) + "," + event(r) + "]}";
            case 7 -> "{\"and\":[{\"first_seen\":{\"within\":\"" + window(r) + "\"}}," + event(r) + "]}";
            case 8 -> "{\"and\":[" + attribute(r) + ",{\"device\":{\"field\":\"platform\",\"op\":\"equals\",\"value\":\""
                    + pick(r, "iOS", "Android") + "\"}}]}";
            case 9 -> "{\"event\":{\"type\":\"custom_event\",\"name\":\"" + pick(r, BenchBatches.CUSTOM)
                    + "\",\"where\":[{\"attribute\":\"value\",\"op\":\"gt\",\"value\":" + r.nextInt(900) + "}],"
                    + "\"within\":\"" + window(r) + "\",\"sum\":{\"attribute\":\"value\",\"op\":\"gt\",\"value\":"
                    + (500 + r.nextInt(3000)) + "}}}";
            default -> attribute(r);
        };
    }

    /** The same criteria over names no batch carries: sessions become another app's custom events. */
    private static String foreign(String criteria) {
        return criteria
                .replace("\"name\":\"", "\"name\":\"other ")
                .replace("\"attribute\":\"", "\"attribute\":\"other_")
                .replaceAll("\\{\"type\":\"(session_start|session_end)\"", "{\"type\":\"custom_event\",\"name\":\"other $1\"");
    }

    private static String event(SplittableRandom r) {
        String within = ",\"within\":\"" + window(r) + "\",\"count\":{\"op\":\"gte\",\"value\":" + (1 + r.nextInt(4)) + "}";
        return switch (r.nextInt(4)) {
            case 0 -> "{\"event\":{\"type\":\"screen_view\",\"name\":\"" + pick(r, BenchBatches.SCREENS) + "\"" + within + "}}";
            case 1 -> "{\"event\":{\"type\":\"custom_event\",\"name\":\"" + pick(r, BenchBatches.CUSTOM)
                    + "\",\"where\":[{\"attribute\":\"category\",\"op\":\"equals\",\"value\":\""
                    + pick(r, BenchBatches.CATEGORIES) + "\"}]" + within + "}}";
            case 2 -> "{\"event\":{\"type\":\"commerce_event\",\"name\":\"" + pick(r, BenchBatches.ACTIONS) + "\"" + within + "}}";
            default -> "{\"event\":{\"type\":\"" + pick(r, "session_start", "session_end") + "\"" + within + "}}";
        };
    }

    private static String attribute(SplittableRandom r) {
        return switch (r.nextInt(3)) {
            case 0 -> "{\"user_attribute\":{\"name\":\"country\",\"op\":\"in\",\"value\":[\""
                    + pick(r, BenchBatches.COUNTRIES) + "\",\"" + pick(r, BenchBatches.COUNTRIES) + "\"]}}";
            case 1 -> "{\"user_attribute\":{\"name\":\"plan\",\"op\":\"equals\",\"value\":\"" + pick(r, BenchBatches.PLANS) + "\"}}";
            default -> "{\"user_attribute\":{\"name\":\"lifetime_value\",\"op\":\"gt\",\"value\":" + r.nextInt(1500) + "}}";
        };
    }

    private static String window(SplittableRandom r) {
        return WINDOWS[r.nextInt(WINDOWS.length)];
    }

    private static String pick(SplittableRandom r, String... values) {
        return values[r.nextInt(values.length)];
    }
}
