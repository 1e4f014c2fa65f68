package org.audienceengine.evaluation;

import java.util.List;

/**
 * One node of a criteria tree as evaluated for one user at one time: what it says, the value it
 * read, and its verdict. Made by {@link Explainer} with the conditions' own tests, so a verdict
 * here is the one the job reaches.
 *
 * @param kind the condition kind of audiences.md ({@code and}, {@code event}, {@code user_attribute} …)
 * @param subject what the condition reads, e.g. {@code count(purchase within 30d)}, or {@code all of}
 * @param test what it requires of it, e.g. {@code ≥ 2} (empty for a composite)
 * @param value what it read ({@code 3}, {@code "pro"}), or null for a composite or nothing there
 */
public record Explanation(String kind, String subject, String test, String value, boolean verdict, List<Explanation> parts) {

    /** The condition in words: {@code count(purchase within 30d) ≥ 2}. */
    public String text() {
        return test.isEmpty() ? subject : subject + " " + test;
    }

    /** Each leaf of the tree, depth first. */
    public void leaves(List<Explanation> into) {
        if (parts.isEmpty()) {
            into.add(this);
        }
        for (Explanation part : parts) {
            part.leaves(into);
        }
    }
}
