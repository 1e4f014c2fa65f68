package org.audienceengine.sample;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/** One simulated user: who they are, what they carry, and what draws them to each kind of visit. */
final class SampleUser {
    private static final long DAY = 24 * 60 * 60_000L;

    long mpid, emailChangeAt = Long.MAX_VALUE;
    boolean noMpid, web, locates, bargain, first = true, consentChanged;
    String env, platform, customerId, email, newEmail, loyalty;
    String[] city;
    double ltv;
    final int[] taste = new int[SampleVocabulary.INTENT_WEIGHT.length];
    final ObjectNode attrs = SampleGenerator.obj(), device = SampleGenerator.obj();
    ObjectNode consent;
    List<String[]> cart = new ArrayList<>();

    private SampleUser() {}

    static SampleUser create(int i, SampleRandom rng, long start) {
        SampleUser n = new SampleUser();
        n.mpid = (rng.nextLong() >>> 1) | 1; // never 0, which mParticle reserves for "no user"
        if (rng.nextInt(12) == 0) n.mpid = -n.mpid; // mParticle ids span the whole signed 64-bit range
        n.noMpid = i % 40 == 20; // a point-of-sale feed that knows only the customer id or email
        n.env = i % 25 == 3 ? "development" : "production";
        n.city = SampleVocabulary.CITIES[rng.pick(SampleVocabulary.CITIES.length, k -> Integer.parseInt(SampleVocabulary.CITIES[k].split("\\|")[4]))].split("\\|");
        int p = rng.nextInt(100);
        n.platform = n.noMpid ? "pos" : p < 45 ? "iOS" : p < 80 ? "Android" : "web";
        n.web = n.platform.equals("web");
        n.locates = !n.web && !n.noMpid && rng.chance(55);
        n.bargain = rng.chance(35);
        String name = rng.any(SampleVocabulary.FIRST) + "." + rng.any(SampleVocabulary.LAST) + (i % 97);
        boolean emailOnly = n.noMpid && i % 80 == 60;
        if (!emailOnly && (n.noMpid || rng.chance(85))) n.customerId = String.format("C%06d", 100000 + i * 7919L % 900000);
        if (n.env.equals("development")) {
            n.email = "qa.tester+" + i + "@example.com";
        } else if (n.noMpid || rng.chance(78)) {
            n.email = name + "@" + rng.any(SampleVocabulary.DOMAINS);
            if (rng.chance(4)) { // moved to a new address part-way through
                n.newEmail = name + ".new@" + rng.any(SampleVocabulary.DOMAINS);
                n.emailChangeAt = start + 30 * DAY + (long) (rng.nextDouble() * 60 * DAY);
            }
        }
        if (rng.chance(30)) n.loyalty = String.format("LC-%08d", rng.nextInt(100_000_000));
        ObjectNode a = n.attrs.put("country", n.city[1]).put("city", n.city[0]);
        if (rng.chance(92)) a.put("age", 18 + rng.nextInt(40) + rng.nextInt(20));
        a.put("plan", (p = rng.nextInt(100)) < 60 ? "free" : p < 85 ? "plus" : "premium");
        if (rng.chance(85)) {
            ArrayNode list = a.putArray("interests");
            for (int k = 1 + rng.nextInt(4); k > 0; k--) addIfAbsent(list, rng.any(SampleVocabulary.INTERESTS));
        }
        n.ltv = rng.chance(30) ? rng.nextInt(80_000) / 100.0 : 0;
        a.put("lifetime_value", n.ltv);
        a.put("signup_source", n.noMpid ? "store" : SampleVocabulary.SOURCES[rng.pick(SampleVocabulary.SOURCES.length, k -> SampleVocabulary.SOURCE_WEIGHT[k])]);
        if (rng.chance(55)) a.put("favorite_brand", rng.any(SampleVocabulary.BRANDS));
        a.put("newsletter", rng.chance(40));
        if (n.web) n.device.put("platform", "web");
        if (!n.web && !n.noMpid) {
            boolean ios = n.platform.equals("iOS");
            n.device.put("platform", n.platform);
            n.device.put("os_version", ios ? rng.any("17.6.1", "18.2", "18.3.1", "18.4") : "" + (11 + rng.nextInt(5)));
            n.device.put("brand", ios ? "Apple" : rng.any("samsung", "Google", "motorola"));
            // On iOS the advertising id exists only after App Tracking Transparency consent.
            if (rng.chance(ios ? 70 : 90)) n.device.put(ios ? "ios_advertising_id" : "android_advertising_id", rng.uuid().toUpperCase());
            if (rng.chance(65)) n.device.put("push_token", rng.hex() + rng.hex() + rng.hex() + rng.hex());
        }
        if (rng.chance(SampleVocabulary.EU.contains(n.city[1]) ? 95 : 35)) {
            n.consent = SampleGenerator.obj();
            n.consent.putObject("marketing").put("consented", rng.chance(60));
            n.consent.putObject("analytics").put("consented", rng.chance(85));
        }
        for (int k = 0; k < n.taste.length; k++) n.taste[k] = SampleVocabulary.INTENT_WEIGHT[k] * (3 + rng.nextInt(18));
        if (a.get("newsletter").asBoolean()) n.taste[SampleVocabulary.ARTICLE] *= 3; // readers of the newsletter read the guides
        if (n.loyalty != null) n.taste[SampleVocabulary.STORE] *= 3;
        return n;
    }

    static void addIfAbsent(ArrayNode list, String value) {
        for (JsonNode element : list) if (element.asText().equals(value)) return;
        list.add(value);
    }
}
