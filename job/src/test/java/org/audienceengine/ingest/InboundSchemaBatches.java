package org.audienceengine.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * Random batches shaped as mParticle's inbound Events API schema types them
 * ({@code mparticle.inbound.eventsapi.schema.json}): its "String" is string, null, boolean,
 * integer or number; its "Integer", "Number", "Boolean" and "Uuid" also allow null; most objects
 * and lists may be null. Fields the engine ignores come along too. Consent follows the JSON
 * reference's shape (purpose to state), as events.md says. Sizes stay within the engine's limits
 * and times within 1970 … 9999, so every batch is one the contract accepts unless it has a
 * non-integer number as an identity or request id, or no identity at all.
 */
final class InboundSchemaBatches {
    static final String[] IDENTITY_TYPES = {"other", "customer_id", "facebook", "twitter", "google", "microsoft",
        "yahoo", "email", "alias", "facebook_custom_audience_id", "other_id_2", "other_id_3", "other_id_4"};
    private static final String[] EVENT_TYPES = {"custom_event", "screen_view", "commerce_event", "session_start",
        "session_end", "first_run", "breadcrumb", "crash_report", "opt_out", "uninstall", "push_registration",
        "application_state_transition", "network_performance", "profile", "user_attribute_change"};
    private static final String[] CUSTOM_EVENT_TYPES = {"navigation", "location", "search", "transaction",
        "user_content", "user_preference", "social", "other", "media"};
    private static final String[] ACTIONS = {"add_to_cart", "remove_from_cart", "checkout", "checkout_option", "click",
        "view_detail", "purchase", "refund", "add_to_wishlist", "remove_from_wish_list"};
    private static final String[] PLATFORMS = {"iOS", "Android", "web", "desktop", "tvOS", "roku", "out_of_band",
        "smart_tv", "xbox"};
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final Random random;

    private InboundSchemaBatches(Random random) {
        this.random = random;
    }

    static ObjectNode generate(Random random) {
        return new InboundSchemaBatches(random).batch();
    }

    private ObjectNode batch() {
        ObjectNode b = JSON.objectNode();
        b.put("environment", random.nextBoolean() ? "production" : "development");
        maybe(b, "mpid", () -> integerOrNull(1, Long.MAX_VALUE / 2));
        maybe(b, "timestamp_unixtime_ms", () -> integerOrNull(0, 4_102_444_800_000L));
        maybe(b, "source_request_id", this::string);
        maybe(b, "user_identities", () -> nullOr(() -> {
            ObjectNode ids = JSON.objectNode();
            for (String type : pick(IDENTITY_TYPES, 4)) {
                ids.set(type, string());
            }
            return ids;
        }));
        maybe(b, "user_attributes", () -> nullOr(() -> {
            ObjectNode attributes = JSON.objectNode();
            for (int i = random.nextInt(5); i > 0; i--) {
                attributes.set("attr_" + random.nextInt(20), random.nextInt(3) == 0 ? stringList() : string());
            }
            return attributes;
        }));
        maybe(b, "deleted_user_attributes", () -> nullOr(() -> {
            ArrayNode names = JSON.arrayNode();
            for (int i = random.nextInt(3); i > 0; i--) {
                names.add("attr_" + random.nextInt(20));
            }
            return names;
        }));
        maybe(b, "device_info", () -> nullOr(this::deviceInfo));
        maybe(b, "consent_state", () -> nullOr(this::consent));
        maybe(b, "events", () -> nullOr(() -> {
            ArrayNode events = JSON.arrayNode();
            for (int i = random.nextInt(5); i > 0; i--) {
                events.add(event());
            }
            return events;
        }));
        // Read by no condition: they must not get a batch rejected.
        maybe(b, "application_info", () -> nullOr(() -> JSON.objectNode()
                .put("application_name", "app").put("os", "Android").set("application_version", string())));
        maybe(b, "api_key", this::string);
        maybe(b, "ip", () -> random.nextBoolean() ? JSON.textNode("10.0.0." + random.nextInt(255)) : JSON.nullNode());
        maybe(b, "mp_deviceid", this::uuid);
        maybe(b, "batch_id", () -> integerOrNull(0, 1_000_000));
        maybe(b, "sdk_version", this::string);
        maybe(b, "source_info", () -> JSON.objectNode().put("channel", "server_to_server").set("is_historical", bool()));
        maybe(b, "integration_attributes", () -> nullOr(() -> JSON.objectNode()
                .set("1234", JSON.objectNode().set("key", string()))));
        return b;
    }

    private ObjectNode deviceInfo() {
        ObjectNode d = JSON.objectNode();
        maybe(d, "brand", this::string);
        maybe(d, "platform", () -> JSON.textNode(PLATFORMS[random.nextInt(PLATFORMS.length)]));
        maybe(d, "os_version", this::string);
        maybe(d, "screen_height", () -> integerOrNull(0, 4_000));
        maybe(d, "is_tablet", this::bool);
        maybe(d, "ios_advertising_id", this::uuid);
        maybe(d, "android_advertising_id", this::uuid);
        maybe(d, "push_token", this::string);
        maybe(d, "timezone_offset", () -> integerOrNull(-12, 12));
        return d;
    }

    private ObjectNode consent() {
        ObjectNode state = JSON.objectNode();
        state.set("gdpr", nullOr(() -> {
            ObjectNode gdpr = JSON.objectNode();
            for (int i = random.nextInt(3); i > 0; i--) {
                gdpr.set("purpose_" + random.nextInt(5), nullOr(() -> {
                    ObjectNode record = JSON.objectNode();
                    record.set("consented", bool());
                    maybe(record, "timestamp_unixtime_ms", () -> integerOrNull(0, 4_102_444_800_000L));
                    maybe(record, "document", this::string);
                    maybe(record, "location", this::string);
                    maybe(record, "hardware_id", this::string);
                    return record;
                }));
            }
            return gdpr;
        }));
        return state;
    }

    private ObjectNode event() {
        String type = EVENT_TYPES[random.nextInt(EVENT_TYPES.length)];
        ObjectNode data = JSON.objectNode();
        maybe(data, "timestamp_unixtime_ms", () -> integerOrNull(0, 4_102_444_800_000L));
        maybe(data, "source_message_id", this::uuid);
        maybe(data, "session_uuid", this::uuid);
        maybe(data, "event_id", () -> integerOrNull(0, 1_000_000));
        maybe(data, "custom_attributes", () -> nullOr(() -> {
            ObjectNode attributes = JSON.objectNode();
            for (int i = random.nextInt(4); i > 0; i--) {
                attributes.set("c_" + random.nextInt(10), string());
            }
            return attributes;
        }));
        maybe(data, "location", () -> nullOr(() -> JSON.objectNode()
                .<ObjectNode>set("latitude", number()).<ObjectNode>set("longitude", number()).set("accuracy", number())));
        maybe(data, "is_goal_defined", this::bool);
        maybe(data, "lifetime_value_change", this::number);
        switch (type) {
            case "custom_event" -> {
                data.put("event_name", "event_" + random.nextInt(5));
                data.put("custom_event_type", CUSTOM_EVENT_TYPES[random.nextInt(CUSTOM_EVENT_TYPES.length)]);
                maybe(data, "custom_flags", () -> nullOr(() -> JSON.objectNode().set("flag", string())));
            }
            case "screen_view" -> {
                data.put("screen_name", "screen_" + random.nextInt(5));
                maybe(data, "activity_type", this::string);
            }
            case "commerce_event" -> {
                ObjectNode action = JSON.objectNode().put("action", ACTIONS[random.nextInt(ACTIONS.length)]);
                maybe(action, "total_amount", this::number);
                maybe(action, "tax_amount", this::number);
                maybe(action, "products", () -> nullOr(() -> {
                    ArrayNode products = JSON.arrayNode();
                    for (int i = random.nextInt(3); i > 0; i--) {
                        products.add(JSON.objectNode().put("id", "p" + i).<ObjectNode>set("price", number())
                                .set("quantity", number()));
                    }
                    return products;
                }));
                data.set("product_action", action);
                maybe(data, "currency_code", this::string);
                maybe(data, "event_name", this::string);
            }
            case "breadcrumb" -> data.put("label", "crumb");
            case "session_start" -> data.set("session_id", integerOrNull(0, 1_000));
            case "session_end" -> data.set("session_duration_ms", integerOrNull(0, 100_000));
            case "push_registration" -> data.<ObjectNode>set("register", bool()).put("registration_token", "t");
            case "user_attribute_change" -> data.put("user_attribute_name", "a").<ObjectNode>set("new", string())
                    .set("old", stringList());
            default -> { }
        }
        ObjectNode event = JSON.objectNode().put("event_type", type);
        event.set("data", data);
        return event;
    }

    /** The schema's "String": string, null, boolean, integer or number. */
    private JsonNode string() {
        return switch (random.nextInt(6)) {
            case 0 -> JSON.nullNode();
            case 1 -> JSON.booleanNode(random.nextBoolean());
            case 2 -> JSON.numberNode(random.nextInt(100_000));
            case 3 -> JSON.numberNode(new BigDecimal(random.nextInt(10_000)).movePointLeft(2).add(new BigDecimal("0.5")));
            default -> JSON.textNode(random.nextBoolean() ? " Text " + random.nextInt(100) : "a@B" + random.nextInt(9) + ".io");
        };
    }

    /** The schema's "Array" (of "String"), or null. */
    private JsonNode stringList() {
        return nullOr(() -> {
            ArrayNode list = JSON.arrayNode();
            for (int i = random.nextInt(4); i > 0; i--) {
                list.add(string());
            }
            return list;
        });
    }

    private JsonNode number() {
        return random.nextInt(4) == 0 ? JSON.nullNode() : JSON.numberNode(random.nextDouble() * 180 - 90);
    }

    private JsonNode bool() {
        return random.nextInt(4) == 0 ? JSON.nullNode() : JSON.booleanNode(random.nextBoolean());
    }

    private JsonNode uuid() {
        return random.nextInt(4) == 0 ? JSON.nullNode() : JSON.textNode(new UUID(random.nextLong(), random.nextLong()).toString());
    }

    private JsonNode integerOrNull(long low, long high) {
        return random.nextInt(5) == 0 ? JSON.nullNode() : JSON.numberNode(low + (long) (random.nextDouble() * (high - low)));
    }

    private JsonNode nullOr(java.util.function.Supplier<JsonNode> value) {
        return random.nextInt(6) == 0 ? JSON.nullNode() : value.get();
    }

    private void maybe(ObjectNode into, String field, java.util.function.Supplier<JsonNode> value) {
        if (random.nextInt(3) != 0) {
            into.set(field, value.get());
        }
    }

    private List<String> pick(String[] from, int most) {
        List<String> all = new java.util.ArrayList<>(List.of(from));
        java.util.Collections.shuffle(all, random);
        return all.subList(0, random.nextInt(most + 1));
    }
}
