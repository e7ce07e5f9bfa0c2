package io.github.dpsgd4j.optimizers;

/** How each step's logical batch is drawn from the training set. */
public enum SamplingMethod {
    /**
     * Each example joins each step's batch independently with probability q (Poisson sampling).
     * Batches vary in size and may be empty. This is what the privacy accountants assume; the
     * default.
     */
    POISSON,
    /**
     * Each epoch shuffles the training set and cuts it into batches of round(q * N) examples.
     * Common in practice, but the accountants' guarantee is proved for Poisson sampling, not for
     * this: the reported epsilon is then an approximation, not a certificate. Opt-in only.
     */
    SHUFFLED_FIXED_SIZE;

    /** The method as the privacy ledger records it (so a shuffled run's guarantee says it is not certified). */
    public io.github.dpsgd4j.accounting.SamplingMethod ledgerMethod() {
        return this == POISSON ? io.github.dpsgd4j.accounting.SamplingMethod.POISSON
                : io.github.dpsgd4j.accounting.SamplingMethod.SHUFFLED_FIXED_SIZE;
    }
}
