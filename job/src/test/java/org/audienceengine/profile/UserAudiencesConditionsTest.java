package org.audienceengine.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.audienceengine.deltas.Reason.CRITERIA;
import static org.audienceengine.deltas.Reason.EXPIRY;
import static org.audienceengine.deltas.Reason.IDENTITY_CHANGE;
import static org.audienceengine.testutils.Batches.HOUR;
import static org.audienceengine.testutils.Batches.MINUTE;
import static org.audienceengine.testutils.Batches.SECOND;
import static org.audienceengine.testutils.Batches.T0;
import static org.audienceengine.testutils.Batches.audience;
import static org.audienceengine.testutils.Batches.batch;
import static org.audienceengine.testutils.Batches.commerce;
import static org.audienceengine.testutils.Batches.custom;
import static org.audienceengine.testutils.Batches.definitions;
import static org.audienceengine.testutils.Batches.screen;
import static org.audienceengine.testutils.Deltas.add;
import static org.audienceengine.testutils.Deltas.brief;
import static org.audienceengine.testutils.Deltas.remove;

import org.audienceengine.config.EngineSettings;
import org.audienceengine.deltas.MembershipDelta;
import org.audienceengine.testutils.Harness;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** Every condition kind of audiences.md, each driven into and out of membership by real batches. */
class UserAudiencesConditionsTest {
    private static final long USER = 42;

    @Test
    void eventCountWithWhereFilterAndCaseInsensitiveName() throws Exception {
        try (Harness h = Harness.eventTime(definitions(audience(1, "{'event': {'type': 'custom_event', 'name': 'Search',"
                + " 'custom_event_type': 'search', 'where': [{'attribute': 'query', 'op': 'contains', 'value': 'sale'}],"
                + " 'within': '1h', 'count': {'op': 'gte', 'value': 2}}}")))) {
            h.push(batch(USER, T0 + MINUTE)
                    .events(custom("search", T0 + MINUTE).customEventType("search").attr("query", "Summer SALE")));
            // Filtered out: wrong query, wrong custom event type, wrong event type.
            h.push(batch(USER, T0 + 2 * MINUTE).events(
                    custom("search", T0 + 2 * MINUTE).customEventType("search").attr("query", "winter"),
                    custom("search", T0 + 2 * MINUTE).customEventType("navigation").attr("query", "sale"),
                    screen("search", T0 + 2 * MINUTE)));
            assertThat(brief(h.watermark(T0 + 2 * MINUTE))).isEmpty();
            h.push(batch(USER, T0 + 3 * MINUTE)
                    .events(custom("SEARCH", T0 + 3 * MINUTE).customEventType("search").attr("query", "sale now")));
            assertThat(brief(h.watermark(T0 + 3 * MINUTE))).containsExactly(add(1, CRITERIA, T0 + 3 * MINUTE));
            // The first match leaves the 1h window at its bucket's end plus 60 buckets.
            assertThat(brief(h.watermark(T0 + 2 * HOUR))).containsExactly(remove(1, EXPIRY, T0 + 61 * MINUTE));
        }
    }

    @Test
    void sumOverCommerceTotalAmount() throws Exception {
        try (Harness h = Harness.eventTime(definitions(audience(1, "{'event': {'type': 'commerce_event', 'name': 'purchase',"
                + " 'within': '1d', 'sum': {'attribute': '$total_amount', 'op': 'gte', 'value': 100}}}")))) {
            h.push(batch(USER, T0).events(commerce("purchase", T0, 60), commerce("add_to_cart", T0, 500)));
            assertThat(brief(h.watermark(T0))).isEmpty();
            h.push(batch(USER, T0 + HOUR).events(commerce("purchase", T0 + HOUR, 40.5)));
            assertThat(brief(h.watermark(T0 + HOUR))).containsExactly(add(1, CRITERIA, T0 + HOUR));
            assertThat(brief(h.watermark(T0 + 2 * 24 * HOUR))).containsExactly(remove(1, EXPIRY, T0 + 24 * HOUR));
        }
    }

    @Test
    void minSkipsMissingAndNonNumericValuesAndCountsNumericStrings() throws Exception {
        try (Harness h = Harness.eventTime(definitions(audience(1, "{'event': {'name': 'rate', 'within': '1h',"
                + " 'min': {'attribute': 'price', 'op': 'gt', 'value': 10}}}")))) {
            // No numeric value yet: min is "no value", which compares false.
            h.push(batch(USER, T0).events(custom("rate", T0), custom("rate", T0).attr("price", "cheap")));
            assertThat(brief(h.watermark(T0))).isEmpty();
            h.push(batch(USER, T0 + MINUTE).events(custom("rate", T0 + MINUTE).attr("price", 20)));
            assertThat(brief(h.watermark(T0 + MINUTE))).containsExactly(add(1, CRITERIA, T0 + MINUTE));
            h.push(batch(USER, T0 + 2 * MINUTE).events(custom("rate", T0 + 2 * MINUTE).attr("price", "5")));
            assertThat(brief(h.watermark(T0 + 2 * MINUTE))).containsExactly(remove(1, CRITERIA, T0 + 2 * MINUTE));
        }
    }

    @Test
    void maxOverNoValuesIsFalseEvenForLessThan() throws Exception {
        try (Harness h = Harness.eventTime(definitions(audience(1, "{'event': {'type': 'commerce_event', 'name': 'purchase',"
                + " 'within': '1h', 'max': {'attribute': '$total_amount', 'op': 'lte', 'value': 50}}}")))) {
            h.push(batch(USER, T0).events(commerce("purchase", T0, null)));
            assertThat(brief(h.watermark(T0))).isEmpty();
            h.push(batch(USER, T0 + MINUTE).events(commerce("purchase", T0 + MINUTE, 30)));
            assertThat(brief(h.watermark(T0 + MINUTE))).containsExactly(add(1, CRITERIA, T0 + MINUTE));
            h.push(batch(USER, T0 + 2 * MINUTE).events(commerce("purchase", T0 + 2 * MINUTE, 70)));
            assertThat(brief(h.watermark(T0 + 2 * MINUTE))).containsExactly(remove(1, CRITERIA, T0 + 2 * MINUTE));
        }
    }

    @Test
    void avgDividesByNumericValuesOnly() throws Exception {
        try (Harness h = Harness.eventTime(definitions(audience(1, "{'event': {'name': 'review', 'within': '1h',"
                + " 'avg': {'attribute': 'rating', 'op': 'gte', 'value': 4}}}")))) {
            h.push(batch(USER, T0).events(custom("review", T0).attr("rating", 5), custom("review", T0).attr("rating", 3),
                    custom("review", T0).attr("rating", "n/a")));
            assertThat(brief(h.watermark(T0))).containsExactly(add(1, CRITERIA, T0));
            h.push(batch(USER, T0 + MINUTE).events(custom("review", T0 + MINUTE).attr("rating", "2")));
            assertThat(brief(h.watermark(T0 + MINUTE))).containsExactly(remove(1, CRITERIA, T0 + MINUTE));
        }
    }

    @Test
    void userAttributeUpsertNullAndDeletedList() throws Exception {
        try (Harness h = Harness.eventTime(definitions(
                audience(1, "{'user_attribute': {'name': 'country', 'op': 'in', 'value': ['US', 'CA']}}")))) {
            h.push(batch(USER, T0).attribute("country", "us"));
            h.push(batch(USER, T0 + MINUTE).attribute("country", "DE"));
            h.push(batch(USER, T0 + 2 * MINUTE).attribute("country", "ca"));
            h.push(batch(USER, T0 + 3 * MINUTE).deleteAttribute("country"));
            h.push(batch(USER, T0 + 4 * MINUTE).attribute("country", "CA"));
            h.push(batch(USER, T0 + 5 * MINUTE).attribute("country", null));
            assertThat(brief(h.watermark(T0 + 5 * MINUTE))).containsExactly(
                    add(1, CRITERIA, T0), remove(1, CRITERIA, T0 + MINUTE),
                    add(1, CRITERIA, T0 + 2 * MINUTE), remove(1, CRITERIA, T0 + 3 * MINUTE),
                    add(1, CRITERIA, T0 + 4 * MINUTE), remove(1, CRITERIA, T0 + 5 * MINUTE));
        }
    }

    @Test
    void userIdentityComparesTheNormalizedEmail() throws Exception {
        try (Harness h = Harness.eventTime(definitions(
                audience(1, "{'identity': {'type': 'email', 'op': 'matches', 'value': '*@example.com'}}")))) {
            h.push(batch(USER, T0).identity("email", "  Ann@EXAMPLE.com "));
            List<MembershipDelta> added = h.watermark(T0);
            assertThat(brief(added)).containsExactly(add(1, CRITERIA, T0));
            assertThat(added.get(0).identities).containsEntry("email", "ann@example.com");
            h.push(batch(USER, T0 + MINUTE).identity("email", null));
            assertThat(brief(h.watermark(T0 + MINUTE))).containsExactly(remove(1, CRITERIA, T0 + MINUTE));
        }
    }

    @Test
    void identityConditionReadsDeviceIdentityFields() throws Exception {
        try (Harness h = Harness.eventTime(definitions(
                audience(1, "{'identity': {'type': 'ios_advertising_id', 'op': 'exists'}}")))) {
            // A user identity of the same name is not a device identity.
            h.push(batch(USER, T0).identity("other", "x").device("platform", "iOS"));
            assertThat(brief(h.watermark(T0))).isEmpty();
            h.push(batch(USER, T0 + MINUTE).device("ios_advertising_id", "IDFA-1"));
            List<MembershipDelta> added = h.watermark(T0 + MINUTE);
            assertThat(brief(added)).containsExactly(add(1, CRITERIA, T0 + MINUTE));
            assertThat(added.get(0).deviceIdentities).containsExactly(Map.entry("ios_advertising_id", "IDFA-1"));
            h.push(batch(USER, T0 + 2 * MINUTE).device("ios_advertising_id", null));
            assertThat(brief(h.watermark(T0 + 2 * MINUTE))).containsExactly(remove(1, CRITERIA, T0 + 2 * MINUTE));
        }
    }

    @Test
    void deviceFieldComparesCaseInsensitively() throws Exception {
        try (Harness h = Harness.eventTime(definitions(
                audience(1, "{'device': {'field': 'platform', 'op': 'equals', 'value': 'ios'}}")))) {
            h.push(batch(USER, T0).device("platform", "iOS").device("os_version", "17"));
            h.push(batch(USER, T0 + MINUTE).device("os_version", "18"));
            h.push(batch(USER, T0 + 2 * MINUTE).device("platform", "Android"));
            assertThat(brief(h.watermark(T0 + 2 * MINUTE))).containsExactly(
                    add(1, CRITERIA, T0), remove(1, CRITERIA, T0 + 2 * MINUTE));
        }
    }

    @Test
    void consentFollowsTheLatestRecordAndNoRecordIsNeitherValue() throws Exception {
        try (Harness h = Harness.eventTime(definitions(
                audience(1, "{'consent': {'purpose': 'marketing', 'consented': true}}"),
                audience(2, "{'consent': {'purpose': 'marketing', 'consented': false}}")))) {
            h.push(batch(USER, T0).attribute("x", 1));
            assertThat(brief(h.watermark(T0))).isEmpty();
            h.push(batch(USER, T0 + MINUTE).consent("marketing", true, T0 + MINUTE));
            // An older record is history: it must not override the newer consent.
            h.push(batch(USER, T0 + 2 * MINUTE).consent("marketing", false, T0));
            h.push(batch(USER, T0 + 3 * MINUTE).consent("marketing", false, T0 + 3 * MINUTE));
            assertThat(brief(h.watermark(T0 + 3 * MINUTE))).containsExactly(
                    add(1, CRITERIA, T0 + MINUTE), remove(1, CRITERIA, T0 + 3 * MINUTE), add(2, CRITERIA, T0 + 3 * MINUTE));
        }
    }

    @Test
    void firstSeenEntersWithTheFirstEventAndLeavesAtItsBucketEdge() throws Exception {
        try (Harness h = Harness.eventTime(definitions(audience(1, "{'first_seen': {'within': '1h'}}")))) {
            h.push(batch(USER, T0 + 30 * SECOND).events(screen("home", T0 + 30 * SECOND)));
            h.push(batch(USER, T0 + 50 * MINUTE).events(screen("home", T0 + 50 * MINUTE)));
            assertThat(brief(h.watermark(T0 + 59 * MINUTE))).containsExactly(add(1, CRITERIA, T0 + 30 * SECOND));
            assertThat(brief(h.watermark(T0 + 3 * HOUR))).containsExactly(remove(1, EXPIRY, T0 + HOUR));
        }
    }

    @Test
    void firstSeenOfAProfileOnlyBatchIsTheBatchTime() throws Exception {
        try (Harness h = Harness.eventTime(definitions(audience(1, "{'first_seen': {'within': '10m'}}")))) {
            h.push(batch(USER, T0 + 90 * SECOND).attribute("plan", "free"));
            assertThat(brief(h.watermark(T0 + HOUR))).containsExactly(
                    add(1, CRITERIA, T0 + 90 * SECOND), remove(1, EXPIRY, T0 + 11 * MINUTE));
        }
    }

    @Test
    void locationUsesTheLastKnownEventLocation() throws Exception {
        try (Harness h = Harness.eventTime(definitions(audience(1,
                "{'location': {'latitude': 48.8566, 'longitude': 2.3522, 'radius_km': 10}}")))) {
            h.push(batch(USER, T0).events(screen("map", T0).location(48.8606, 2.3376)));
            // An event without a location keeps the last one.
            h.push(batch(USER, T0 + MINUTE).events(screen("map", T0 + MINUTE)));
            h.push(batch(USER, T0 + 2 * MINUTE).events(screen("map", T0 + 2 * MINUTE).location(51.5072, -0.1276)));
            assertThat(brief(h.watermark(T0 + 2 * MINUTE))).containsExactly(
                    add(1, CRITERIA, T0), remove(1, CRITERIA, T0 + 2 * MINUTE));
        }
    }

    @Test
    void locationRadiusIsHaversineOnTheMeanEarthRadius() throws Exception {
        // One degree of latitude is 111.195 km on a sphere of radius 6371.0088 km.
        try (Harness h = Harness.eventTime(definitions(
                audience(1, "{'location': {'latitude': 0, 'longitude': 0, 'radius_km': 111.2}}"),
                audience(2, "{'location': {'latitude': 0, 'longitude': 0, 'radius_km': 111.19}}")))) {
            h.push(batch(USER, T0).events(screen("map", T0).location(1.0, 0.0)));
            assertThat(brief(h.watermark(T0))).containsExactly(add(1, CRITERIA, T0));
        }
    }

    @Test
    void nestedAudienceWithAndOrNot() throws Exception {
        String doc = definitions(
                audience(1, "{'user_attribute': {'name': 'tier', 'op': 'equals', 'value': 'gold'}}"),
                audience(2, "{'and': [{'audience': {'id': 1}},"
                        + " {'not': {'device': {'field': 'platform', 'op': 'equals', 'value': 'web'}}}]}"),
                audience(3, "{'or': [{'user_attribute': {'name': 'vip', 'op': 'equals', 'value': true}},"
                        + " {'identity': {'type': 'customer_id', 'op': 'exists'}}]}"));
        Set<String> any = Set.of(EngineSettings.ANY_IDENTITY);
        try (Harness h = Harness.open(Harness.settings(doc).identityTypesUsed(Map.of(1, any, 2, any, 3, any)).build())) {
            h.push(batch(USER, T0).attribute("tier", "Gold").device("platform", "web"));
            assertThat(brief(h.watermark(T0))).containsExactly(add(1, CRITERIA, T0));
            h.push(batch(USER, T0 + MINUTE).device("platform", "Android").attribute("vip", true));
            assertThat(brief(h.watermark(T0 + MINUTE))).containsExactly(
                    add(3, CRITERIA, T0 + MINUTE), add(2, CRITERIA, T0 + MINUTE));
            // Still in 3 through the other branch; the new identity re-announces every membership.
            h.push(batch(USER, T0 + 2 * MINUTE).attribute("vip", false).identity("customer_id", "c-1"));
            assertThat(brief(h.watermark(T0 + 2 * MINUTE))).containsExactly(
                    remove(1, IDENTITY_CHANGE, T0 + 2 * MINUTE), add(1, IDENTITY_CHANGE, T0 + 2 * MINUTE),
                    remove(3, IDENTITY_CHANGE, T0 + 2 * MINUTE), add(3, IDENTITY_CHANGE, T0 + 2 * MINUTE),
                    remove(2, IDENTITY_CHANGE, T0 + 2 * MINUTE), add(2, IDENTITY_CHANGE, T0 + 2 * MINUTE));
            h.push(batch(USER, T0 + 3 * MINUTE).attribute("tier", "silver").identity("customer_id", null));
            assertThat(brief(h.watermark(T0 + 3 * MINUTE))).containsExactly(
                    remove(1, CRITERIA, T0 + 3 * MINUTE), remove(3, CRITERIA, T0 + 3 * MINUTE),
                    remove(2, CRITERIA, T0 + 3 * MINUTE));
        }
    }
}
