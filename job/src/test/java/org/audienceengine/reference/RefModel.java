package org.audienceengine.reference;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * The inputs and outputs of the reference evaluator, as plain values. Attribute and filter values
 * are String, BigDecimal, Boolean or (user attributes only) a List of String; a filter value for
 * {@code in} is a List of scalars.
 */
public final class RefModel {
    private RefModel() {}

    /** A node of a criteria tree. */
    public sealed interface Criteria permits And, Or, Not, EventCond, UserAttr, FirstSeen, InAudience {}

    public record And(List<Criteria> parts) implements Criteria {}

    public record Or(List<Criteria> parts) implements Criteria {}

    public record Not(Criteria inner) implements Criteria {}

    /** A {@code where} filter, or a user_attribute comparison without its name. */
    public record Filter(String attribute, String op, Object value) {}

    /**
     * An event condition. {@code aggregate} is null for the default count (gte 1), else one of
     * count, sum, min, max, avg; {@code attribute} is set for the numeric aggregates only.
     */
    public record EventCond(
            String type,
            String name,
            List<Filter> where,
            String within,
            String aggregate,
            String attribute,
            String op,
            BigDecimal value)
            implements Criteria {}

    public record UserAttr(String name, String op, Object value) implements Criteria {}

    public record FirstSeen(String within) implements Criteria {}

    public record InAudience(int id) implements Criteria {}

    public record Audience(int id, boolean enabled, Criteria criteria) {}

    /**
     * One event. {@code time} null means "no own time" (the batch's timestamp applies). For a
     * commerce event {@code name} is the product action; {@code totalAmount} may be null.
     */
    public record Event(
            String type,
            String name,
            Long time,
            Map<String, Object> customAttributes,
            BigDecimal totalAmount,
            int productCount) {
        public boolean isCommerce() {
            return "commerce_event".equals(type);
        }
    }

    /**
     * One Events-API batch of one user. In {@code attributes} a null value deletes the attribute.
     * {@code order} is the position in the input (ties of batch time keep it).
     */
    public record Batch(
            long mpid,
            long order,
            long timestamp,
            Map<String, Object> attributes,
            List<String> deletedAttributes,
            List<Event> events) {}

    /** The fields of a membership delta that the comparison looks at. */
    public record Delta(int audienceId, long mpid, String action, String reason, long effectiveAt, int seq) {
        @Override
        public String toString() {
            return action + "/" + reason + "@" + effectiveAt + "#" + seq;
        }
    }
}
