package org.audienceengine.definitions;

import com.fasterxml.jackson.databind.JsonNode;

/** Questions about a criteria tree (JSON) that both validation and compilation ask. */
final class CriteriaTrees {
    private CriteriaTrees() {}

    /**
     * Whether the tree holds an {@code audience} condition. Follows and/or/not only, so that a
     * where filter or value spelled "audience" is not mistaken for one; stops past the deepest
     * level a valid tree may have.
     */
    static boolean hasAudienceCondition(JsonNode criteria) {
        return hasAudienceCondition(criteria, 1);
    }

    private static boolean hasAudienceCondition(JsonNode node, int depth) {
        if (node == null || depth > DefinitionsValidator.MAX_DEPTH) {
            return false;
        }
        if (node.isArray()) {
            for (JsonNode part : node) {
                if (hasAudienceCondition(part, depth)) {
                    return true;
                }
            }
            return false;
        }
        return node.has("audience") || hasAudienceCondition(node.get("not"), depth + 1)
                || hasAudienceCondition(node.get("and"), depth + 1) || hasAudienceCondition(node.get("or"), depth + 1);
    }
}
