package io.github.dpsgd4j.serving;

import io.github.dpsgd4j.common.Checks;

/**
 * The guard's answer to one request.
 *
 * @param decision what the guard decided
 * @param released per row, what the output policy releases (probabilities, withheld entries NaN,
 *                 or one-hot labels); null unless {@link Decision#answered()}
 * @param labels   per row, the predicted class; null unless answered
 */
public record GuardedAnswer(Decision decision, double[][] released, int[] labels) {

    public GuardedAnswer {
        Checks.notNull("decision", decision);
        if (decision.answered() != (released != null && labels != null)) {
            throw new IllegalArgumentException("released and labels must be given exactly when the decision is "
                    + "answered, got " + decision.outcome());
        }
    }
}
