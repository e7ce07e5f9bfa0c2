package io.github.dpsgd4j.accounting;

import io.github.dpsgd4j.common.Checks;

/**
 * An (epsilon, delta) differential privacy guarantee computed by an accountant, under add/remove
 * adjacency with one training example as the unit of privacy. It is a certified upper bound only
 * when the steps were Poisson-sampled ({@link #isCertified()}); for shuffled fixed-size batches
 * the same formula gives an approximation, and {@link #toString()} says so.
 *
 * @param epsilon        {@code >= 0}; +infinity means no guarantee
 * @param delta          in {@code [0, 1]}
 * @param accountant     the accountant that computed it, not null
 * @param samplingMethod how the accounted steps drew their batches ({@link SamplingMethod#SHUFFLED_FIXED_SIZE}
 *                       if any step did), not null
 */
public record PrivacyGuarantee(double epsilon, double delta, AccountantType accountant, SamplingMethod samplingMethod) {

    public PrivacyGuarantee {
        Checks.nonNegative("epsilon", epsilon);
        Checks.probability("delta", delta);
        Checks.notNull("accountant", accountant);
        Checks.notNull("samplingMethod", samplingMethod);
    }

    /** A guarantee for Poisson-sampled steps (certified). */
    public PrivacyGuarantee(double epsilon, double delta, AccountantType accountant) {
        this(epsilon, delta, accountant, SamplingMethod.POISSON);
    }

    /** Whether this is a proved upper bound (every accounted step was Poisson-sampled). */
    public boolean isCertified() {
        return samplingMethod.isCertified();
    }

    @Override
    public String toString() {
        String base = "(epsilon = " + epsilon + ", delta = " + delta + ", " + accountant;
        return isCertified() ? base + ")"
                : base + ", NOT a certified bound: " + samplingMethod.description()
                + " accounted as if Poisson-sampled)";
    }
}
