package io.github.dpsgd4j.accounting;

import io.github.dpsgd4j.common.Checks;

/**
 * An (epsilon, delta) privacy budget that a training run must not exceed.
 *
 * @param epsilon finite and {@code > 0}
 * @param delta   in {@code (0, 1)}; choose it well below 1/N for N training examples
 */
public record PrivacyBudget(double epsilon, double delta) {

    public PrivacyBudget {
        Checks.finitePositive("epsilon", epsilon);
        Checks.openUnitInterval("delta", delta);
    }

    /** Whether {@code guarantee} stays within this budget (same delta or smaller, epsilon not above). */
    public boolean admits(PrivacyGuarantee guarantee) {
        return guarantee.delta() <= delta && guarantee.epsilon() <= epsilon;
    }

    @Override
    public String toString() {
        return "(epsilon = " + epsilon + ", delta = " + delta + ")";
    }
}
