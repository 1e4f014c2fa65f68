package org.audienceengine.evaluation;

import java.io.Serializable;

/** One node of a compiled criteria tree. */
public interface Condition extends Serializable {
    boolean test(EvaluationContext context);
}
