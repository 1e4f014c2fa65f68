package org.audienceengine.ingest;

import com.fasterxml.jackson.databind.JsonNode;

import org.audienceengine.ingest.BatchParser.Invalid;
import org.audienceengine.ingest.Rejection.Reason;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Reads {@code user_attributes}: strings, numbers, booleans, lists (of strings), or null (delete). */
final class UserAttributeReader {
    private UserAttributeReader() {}

    static Map<String, Object> read(JsonNode node) throws Invalid {
        Map<String, Object> out = new HashMap<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw new Invalid(Reason.WRONG_TYPE, "user_attributes must be an object");
        }
        if (node.size() > BatchParser.MAX_ATTRIBUTES) {
            throw new Invalid(Reason.OVER_LIMIT, "over 100 user attributes (" + node.size() + ")");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            checkName(name, "user attribute");
            out.put(name, value(name, field.getValue()));
        }
        return out;
    }

    private static Object value(String name, JsonNode value) throws Invalid {
        if (value.isNull()) {
            return null;
        }
        if (value.isArray()) {
            if (value.size() > BatchParser.MAX_LIST_ENTRIES) {
                throw new Invalid(Reason.OVER_LIMIT, "user attribute " + quote(name) + " lists over 1,000 entries");
            }
            List<String> list = new ArrayList<>(value.size());
            for (JsonNode element : value) {
                // The schema lists "string, number, boolean or null": each is kept as its JSON
                // text, and a null entry is absent.
                if (element.isNull()) {
                    continue;
                }
                if (!element.isValueNode()) {
                    throw new Invalid(Reason.WRONG_TYPE, "user attribute " + quote(name) + " must list strings only");
                }
                list.add(checkValue(name, element.isNumber() ? BatchParser.decimal(element).toPlainString() : element.asText()));
            }
            return List.copyOf(list);
        }
        Object scalar = scalar(value);
        if (scalar == null) {
            throw new Invalid(Reason.WRONG_TYPE, "user attribute " + quote(name) + " must be a string, number, boolean or list");
        }
        return scalar instanceof String s ? checkValue(name, s) : scalar;
    }

    /** A string, BigDecimal or Boolean for a JSON scalar; null for anything else. */
    static Object scalar(JsonNode value) {
        if (value.isTextual()) {
            return value.textValue();
        }
        if (value.isNumber()) {
            return BatchParser.decimal(value);
        }
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        return null;
    }

    /** Also for identity types, device_info fields and consent purposes: the profile keeps them all. */
    static void checkName(String name, String what) throws Invalid {
        if (BatchParser.chars(name) > BatchParser.MAX_NAME_CHARS) {
            throw new Invalid(Reason.OVER_LIMIT, what + " name over 256 chars");
        }
    }

    static String checkValue(String name, String value) throws Invalid {
        if (BatchParser.chars(value) > BatchParser.MAX_VALUE_CHARS) {
            throw new Invalid(Reason.OVER_LIMIT, "value of " + quote(name) + " is over 4,096 chars");
        }
        return value;
    }

    private static String quote(String name) {
        return "'" + (name.length() > 64 ? name.substring(0, 64) + "…" : name) + "'";
    }
}
