package io.github.dpsgd4j.accounting.pld;

/**
 * The two directions of add/remove adjacency for which a privacy loss distribution is built.
 *
 * <p>With {@code mu = N(0, sigma^2)} the noise and sensitivity 1, one Poisson-subsampled Gaussian
 * step (sampling probability {@code q}) compares (Koskela, Jalko, Honkela 2020, "Computing tight
 * differential privacy guarantees using FFT", AISTATS, arXiv:1906.03049; Google dp_accounting's
 * supplement "Privacy Loss Distributions"):
 * <ul>
 *   <li>{@link #REMOVE}: upper {@code (1-q) mu(x) + q mu(x+1)} against lower {@code mu(x)},
 *       privacy loss {@code L(x) = log(1 - q + q exp((-1/2 - x) / sigma^2))};</li>
 *   <li>{@link #ADD}: upper {@code mu(x)} against lower {@code (1-q) mu(x) + q mu(x-1)},
 *       privacy loss {@code L(x) = -log(1 - q + q exp((x - 1/2) / sigma^2))}.</li>
 * </ul>
 * Both losses decrease in {@code x}. A guarantee must hold in both directions, so epsilon is the
 * maximum of the two directions' epsilons and delta the maximum of their deltas. For
 * {@code q = 1} both directions give the same distribution.
 */
enum AdjacencyDirection {
    /** The neighbouring data set has one example less. */
    REMOVE,
    /** The neighbouring data set has one example more. */
    ADD
}
