package org.audienceengine.reference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

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
import java.util.List;

/** Renders reference inputs as the engine reads them: a definitions document and Events-API batches. */
public final class RefJson {
    private static final JsonNodeFactory F = JsonNodeFactory.withExactBigDecimals(true);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private RefJson() {}

    public static String definitions(List<Audience> audiences) {
        ObjectNode root = F.objectNode();
        ArrayNode list = root.putArray("audiences");
        for (Audience a : audiences) {
            ObjectNode node = list.addObject();
            node.put("id", a.id());
            node.put("name", "audience " + a.id());
            node.put("enabled", a.enabled());
            node.set("criteria", criteria(a.criteria()));
        }
        return write(root);
    }

    public static byte[] batch(Batch b) {
        ObjectNode root = F.objectNode();
        root.put("mpid", b.mpid());
        root.put("environment", "production");
        root.put("timestamp_unixtime_ms", b.timestamp());
        if (!b.attributes().isEmpty()) {
            ObjectNode attributes = root.putObject("user_attributes");
            b.attributes().forEach((name, value) -> attributes.set(name, value(value)));
        }
        if (!b.deletedAttributes().isEmpty()) {
            ArrayNode deleted = root.putArray("deleted_user_attributes");
            b.deletedAttributes().forEach(deleted::add);
        }
        ArrayNode events = root.putArray("events");
        for (Event e : b.events()) {
            events.add(event(e));
        }
        return write(root).getBytes(StandardCharsets.UTF_8);
    }

    private static ObjectNode event(Event e) {
        ObjectNode node = F.objectNode();
        node.put("event_type", e.type());
        ObjectNode data = node.putObject("data");
        switch (e.type()) {
            case "custom_event" -> {
                data.put("event_name", e.name());
                data.put("custom_event_type", "other");
            }
            case "screen_view" -> data.put("screen_name", e.name());
            case "commerce_event" -> {
                ObjectNode action = data.putObject("product_action");
                action.put("action", e.name());
                if (e.totalAmount() != null) {
                    action.put("total_amount", e.totalAmount());
                }
                ArrayNode products = action.putArray("products");
                for (int i = 0; i < e.productCount(); i++) {
                    products.addObject().put("id", "sku-" + i);
                }
            }
            default -> { }
        }
        if (e.time() != null) {
            data.put("timestamp_unixtime_ms", e.time());
        }
        if (!e.customAttributes().isEmpty()) {
            ObjectNode attributes = data.putObject("custom_attributes");
            e.customAttributes().forEach((name, value) -> attributes.set(name, value(value)));
        }
        return node;
    }

    static JsonNode criteria(Criteria c) {
        ObjectNode node = F.objectNode();
        if (c instanceof And and) {
            ArrayNode parts = node.putArray("and");
            and.parts().forEach(part -> parts.add(criteria(part)));
        } else if (c instanceof Or or) {
            ArrayNode parts = node.putArray("or");
            or.parts().forEach(part -> parts.add(criteria(part)));
        } else if (c instanceof Not not) {
            node.set("not", criteria(not.inner()));
        } else if (c instanceof UserAttr u) {
            ObjectNode body = node.putObject("user_attribute");
            body.put("name", u.name());
            comparison(body, u.op(), u.value());
        } else if (c instanceof FirstSeen f) {
            node.putObject("first_seen").put("within", f.within());
        } else if (c instanceof InAudience in) {
            node.putObject("audience").put("id", in.id());
        } else {
            node.set("event", event((EventCond) c));
        }
        return node;
    }

    private static ObjectNode event(EventCond e) {
        ObjectNode body = F.objectNode();
        if (e.type() != null) {
            body.put("type", e.type());
        }
        if (e.name() != null) {
            body.put("name", e.name());
        }
        if (!e.where().isEmpty()) {
            ArrayNode where = body.putArray("where");
            for (Filter f : e.where()) {
                ObjectNode filter = where.addObject();
                filter.put("attribute", f.attribute());
                comparison(filter, f.op(), f.value());
            }
        }
        body.put("within", e.within());
        if (e.aggregate() != null) {
            ObjectNode aggregate = body.putObject(e.aggregate());
            if (e.attribute() != null) {
                aggregate.put("attribute", e.attribute());
            }
            comparison(aggregate, e.op(), e.value());
        }
        return body;
    }

    private static void comparison(ObjectNode body, String op, Object value) {
        body.put("op", op);
        if (!op.equals("exists") && !op.equals("not_exists")) {
            body.set("value", value(value));
        }
    }

    static JsonNode value(Object v) {
        if (v == null) {
            return F.nullNode();
        }
        if (v instanceof String s) {
            return F.textNode(s);
        }
        if (v instanceof BigDecimal d) {
            return F.numberNode(d);
        }
        if (v instanceof Boolean b) {
            return F.booleanNode(b);
        }
        if (v instanceof List<?> list) {
            ArrayNode array = F.arrayNode();
            list.forEach(element -> array.add(value(element)));
            return array;
        }
        throw new IllegalArgumentException("not a value: " + v);
    }

    private static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
