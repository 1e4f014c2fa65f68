package org.audienceengine.definitions;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The words of audiences.md that a definitions document may use: keys, conditions, operators,
 * event and identity types. {@link DefinitionsValidator} checks documents against them.
 */
final class DefinitionsVocabulary {
    private DefinitionsVocabulary() {}

    static final Set<String> ROOT_KEYS = Set.of("audiences");
    static final Set<String> AUDIENCE_KEYS = Set.of("id", "name", "external_name", "enabled", "criteria");
    static final List<String> CONDITIONS = List.of("and", "or", "not", "event", "user_attribute",
            "identity", "device", "consent", "first_seen", "location", "audience");
    static final Set<String> FILTER_KEYS = Set.of("attribute", "op", "value");
    /** The keys allowed in the body of each leaf condition. */
    static final Map<String, Set<String>> BODY_KEYS = Map.of(
            "event", Set.of("type", "name", "custom_event_type", "where", "within", "count", "sum", "min", "max",
                    "avg"),
            "user_attribute", Set.of("name", "op", "value"),
            "identity", Set.of("type", "op", "value"),
            "device", Set.of("field", "op", "value"),
            "consent", Set.of("purpose", "consented"),
            "first_seen", Set.of("within"),
            "location", Set.of("latitude", "longitude", "radius_km"),
            "audience", Set.of("id"));
    static final List<String> AGGREGATES = List.of("count", "sum", "min", "max", "avg");
    static final List<String> AGGREGATE_OPS =
            List.of("equals", "not_equals", "in", "gt", "gte", "lt", "lte", "between");
    static final List<String> OPS = List.of("exists", "not_exists", "equals", "not_equals", "contains",
            "not_contains", "matches", "in", "gt", "gte", "lt", "lte", "between");
    static final List<String> CUSTOM_EVENT_TYPES = List.of("navigation", "location", "search", "transaction",
            "user_content", "user_preference", "social", "media", "attribution", "other");
    static final Set<String> USER_IDENTITY_TYPES = Set.of("customer_id", "email", "other", "other_id_2",
            "other_id_3", "other_id_4", "other_id_5", "other_id_6", "other_id_7", "other_id_8", "other_id_9",
            "other_id_10", "mobile_number", "phone_number_2", "phone_number_3", "facebook", "google", "microsoft",
            "twitter", "yahoo");
    static final Pattern EVENT_TYPE = Pattern.compile("[a-z][a-z0-9_]*");
    static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*");
}
