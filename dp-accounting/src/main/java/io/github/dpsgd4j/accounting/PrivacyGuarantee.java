package io.github.dpsgd4j.accounting;

/**
 * An (epsilon, delta) differential privacy guarantee certified by an accountant, under add/remove
 * adjacency with one training example as the unit of privacy.
 *
 * @param epsilon    {@code >= 0}; +infinity means no guarantee
 * @param delta      in {@code [0, 1]}
 * @param accountant the accountant that certified it, not null
 */
public record PrivacyGuarantee(double epsilon, double delta, AccountantType accountant) {

    public PrivacyGuarantee {
        Checks.nonNegative("epsilon", epsilon);
        Checks.probability("delta", delta);
        Checks.notNull("accountant", accountant);
    }

    @Override
    public String toString() {
        return "(epsilon = " + epsilon + ", delta = " + delta + ", " + accountant + ")";
    }
}
