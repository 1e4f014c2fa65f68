package org.audienceengine.ingest;

import com.fasterxml.jackson.databind.JsonNode;

import org.audienceengine.ingest.BatchParser.Invalid;
import org.audienceengine.ingest.Rejection.Reason;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Reads the {@code events} list; one bad event rejects the whole batch. */
final class EventReader {
    private EventReader() {}

    static List<Event> readAll(JsonNode node, Long fallbackTime) throws Invalid {
        List<Event> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isArray()) {
            throw new Invalid(Reason.WRONG_TYPE, "events must be a list");
        }
        int index = 0;
        for (JsonNode event : node) {
            out.add(read(event, "events[" + index + "]", fallbackTime));
            index++;
        }
        return out;
    }

    private static Event read(JsonNode node, String path, Long fallbackTime) throws Invalid {
        if (!node.isObject()) {
            throw bad(path, "must be an object");
        }
        JsonNode typeNode = node.get("event_type");
        if (typeNode == null || !typeNode.isTextual() || typeNode.textValue().isEmpty()) {
            throw bad(path, "event_type must be a non-empty string");
        }
        String type = typeNode.textValue();
        JsonNode data = node.get("data");
        if (data == null || data.isNull()) {
            data = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        } else if (!data.isObject()) {
            throw bad(path, "data must be an object");
        }
        Long time = BatchParser.optionalTime(
                data.get("timestamp_unixtime_ms"), Reason.BAD_EVENT, path + ".data.timestamp_unixtime_ms");
        if (time == null) {
            time = fallbackTime;
        }
        if (time == null) {
            throw new Invalid(Reason.NO_TIME, path + " has no time and neither has the batch");
        }
        Map<String, Object> attributes = customAttributes(data.get("custom_attributes"), path);
        String name;
        String customEventType = null;
        switch (type) {
            case "custom_event" -> {
                name = text(data.get("event_name"), path + ".data.event_name");
                customEventType = text(data.get("custom_event_type"), path + ".data.custom_event_type");
            }
            case "screen_view" -> name = text(data.get("screen_name"), path + ".data.screen_name");
            case "commerce_event" -> name = productAction(data.get("product_action"), attributes, path);
            default -> name = type;
        }
        double lat = 0;
        double lon = 0;
        boolean hasLocation = false;
        JsonNode location = data.get("location");
        if (location != null && !location.isNull()) {
            if (!location.isObject() || !numberOrNull(location.get("latitude")) || !numberOrNull(location.get("longitude"))) {
                throw bad(path, "data.location must be {latitude, longitude} numbers");
            }
            // A coordinate that is null means absent: the event has no location.
            hasLocation = location.get("latitude").isNumber() && location.get("longitude").isNumber();
            if (hasLocation) {
                lat = location.get("latitude").doubleValue();
                lon = location.get("longitude").doubleValue();
            }
        }
        String messageId = text(data.get("source_message_id"), path + ".data.source_message_id");
        return new Event(type, name, customEventType, time, attributes, hasLocation, lat, lon, messageId);
    }

    private static String productAction(JsonNode action, Map<String, Object> attributes, String path) throws Invalid {
        if (action == null || action.isNull()) {
            return null;
        }
        if (!action.isObject()) {
            throw bad(path, "data.product_action must be an object");
        }
        JsonNode total = action.get("total_amount");
        if (total != null && !total.isNull()) {
            if (!total.isNumber()) {
                throw bad(path, "data.product_action.total_amount must be a number");
            }
            attributes.put("$total_amount", BatchParser.decimal(total));
        }
        JsonNode products = action.get("products");
        if (products != null && !products.isNull()) {
            if (!products.isArray()) {
                throw bad(path, "data.product_action.products must be a list");
            }
            attributes.put("$product_count", java.math.BigDecimal.valueOf(products.size()));
        } else {
            attributes.put("$product_count", java.math.BigDecimal.ZERO);
        }
        return text(action.get("action"), path + ".data.product_action.action");
    }

    private static Map<String, Object> customAttributes(JsonNode node, String path) throws Invalid {
        Map<String, Object> out = new HashMap<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw bad(path, "data.custom_attributes must be an object");
        }
        if (node.size() > BatchParser.MAX_ATTRIBUTES) {
            throw new Invalid(Reason.OVER_LIMIT, path + " has over 100 attributes (" + node.size() + ")");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            UserAttributeReader.checkName(field.getKey(), path + " attribute");
            if (field.getValue().isNull()) {
                continue;
            }
            Object value = UserAttributeReader.scalar(field.getValue());
            if (value == null) {
                throw bad(path, "custom attribute values must be strings, numbers or booleans");
            }
            if (value instanceof String s) {
                UserAttributeReader.checkValue(field.getKey(), s);
            }
            out.put(field.getKey(), value);
        }
        return out;
    }

    private static String text(JsonNode node, String path) throws Invalid {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new Invalid(Reason.BAD_EVENT, path + " must be a string");
        }
        return node.textValue();
    }

    /** Present, and a number or null (the schema's Number). */
    private static boolean numberOrNull(JsonNode node) {
        return node != null && (node.isNumber() || node.isNull());
    }

    private static Invalid bad(String path, String message) {
        return new Invalid(Reason.BAD_EVENT, path + " " + message);
    }
}
