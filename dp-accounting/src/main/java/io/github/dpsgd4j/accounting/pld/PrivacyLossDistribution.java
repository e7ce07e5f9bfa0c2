package io.github.dpsgd4j.accounting.pld;

import io.github.dpsgd4j.common.Checks;

/**
 * A pessimistic privacy loss distribution under add/remove adjacency: one {@link PrivacyLossPmf}
 * per {@link AdjacencyDirection}, sharing one object when the two coincide (symmetric, as for the
 * unsampled Gaussian). Epsilon is the maximum and delta the maximum over the two directions
 * (Sommer, Meiser, Mohammadi 2019, "Privacy loss classes: the central limit theorem in
 * differential privacy", PoPETs; Meiser and Mohammadi 2018, "Tight on budget?", CCS).
 *
 * <p>Immutable and thread-safe.
 */
final class PrivacyLossDistribution {

    /** Mass that each composition may move to infinity to bound the support: 1e-15. */
    static final double TAIL_MASS_TRUNCATION = 1e-15;

    private final PrivacyLossPmf remove;
    private final PrivacyLossPmf add;

    private PrivacyLossDistribution(PrivacyLossPmf remove, PrivacyLossPmf add) {
        this.remove = remove;
        this.add = add;
    }

    /** A distribution whose two directions are the same PMF. */
    static PrivacyLossDistribution symmetric(PrivacyLossPmf pmf) {
        return new PrivacyLossDistribution(pmf, pmf);
    }

    /** A distribution with a PMF per direction. */
    static PrivacyLossDistribution of(PrivacyLossPmf remove, PrivacyLossPmf add) {
        return remove == add ? symmetric(remove) : new PrivacyLossDistribution(remove, add);
    }

    /** The distribution of a mechanism that reveals nothing. */
    static PrivacyLossDistribution identity(double interval) {
        return symmetric(PrivacyLossPmf.identity(interval));
    }

    /**
     * One Poisson-subsampled Gaussian step, discretised by pessimistic connect-the-dots with the
     * default tail cut ({@code e^-50} of the upper distribution on each side).
     *
     * @param sigma      noise standard deviation over L2 sensitivity, finite and {@code > 0}
     * @param sampleRate in {@code (0, 1]}; 1 gives a symmetric distribution
     * @param interval   loss discretisation interval, finite and {@code > 0}
     */
    static PrivacyLossDistribution sampledGaussian(double sigma, double sampleRate, double interval) {
        return sampledGaussian(sigma, sampleRate, interval,
                SampledGaussianPrivacyLoss.DEFAULT_LOG_MASS_TRUNCATION_BOUND);
    }

    /**
     * As {@link #sampledGaussian(double, double, double)} with an explicit truncation bound (the
     * dp_accounting {@code log_mass_truncation_bound}); used to reproduce published test PMFs.
     */
    static PrivacyLossDistribution sampledGaussian(double sigma, double sampleRate, double interval,
                                                   double logMassTruncationBound) {
        PrivacyLossPmf remove = new SampledGaussianPrivacyLoss(sigma, sampleRate, AdjacencyDirection.REMOVE)
                .connectTheDots(interval, logMassTruncationBound);
        if (sampleRate == 1) {
            return symmetric(remove);
        }
        PrivacyLossPmf add = new SampledGaussianPrivacyLoss(sigma, sampleRate, AdjacencyDirection.ADD)
                .connectTheDots(interval, logMassTruncationBound);
        return new PrivacyLossDistribution(remove, add);
    }

    PrivacyLossPmf pmf(AdjacencyDirection direction) {
        return direction == AdjacencyDirection.REMOVE ? remove : add;
    }

    boolean isSymmetric() {
        return remove == add;
    }

    /** The larger of the two directions' infinity masses: no delta below it can be certified. */
    double infinityMass() {
        return Math.max(remove.infinityMass(), add.infinityMass());
    }

    /** {@code count}-fold self-composition (see {@link PrivacyLossPmf#selfCompose}). */
    PrivacyLossDistribution selfCompose(long count) {
        Checks.positive("count", count);
        PrivacyLossPmf r = remove.selfCompose(count, TAIL_MASS_TRUNCATION);
        if (isSymmetric()) {
            return symmetric(r);
        }
        return new PrivacyLossDistribution(r, add.selfCompose(count, TAIL_MASS_TRUNCATION));
    }

    /** Composition with {@code other} (see {@link PrivacyLossPmf#compose}). */
    PrivacyLossDistribution compose(PrivacyLossDistribution other) {
        PrivacyLossPmf r = remove.compose(other.remove, TAIL_MASS_TRUNCATION);
        if (isSymmetric() && other.isSymmetric()) {
            return symmetric(r);
        }
        return new PrivacyLossDistribution(r, add.compose(other.add, TAIL_MASS_TRUNCATION));
    }

    /** The larger of the two directions' smallest epsilons for {@code delta}; +infinity if none. */
    double epsilon(double delta) {
        double e = remove.epsilon(delta);
        return isSymmetric() ? e : Math.max(e, add.epsilon(delta));
    }

    /** The larger of the two directions' deltas at {@code epsilon}. */
    double delta(double epsilon) {
        double d = remove.delta(epsilon);
        return isSymmetric() ? d : Math.max(d, add.delta(epsilon));
    }

    @Override
    public String toString() {
        return isSymmetric() ? "PrivacyLossDistribution[symmetric " + remove + "]"
                : "PrivacyLossDistribution[remove " + remove + ", add " + add + "]";
    }
}
