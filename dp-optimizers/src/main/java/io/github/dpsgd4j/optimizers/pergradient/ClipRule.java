package io.github.dpsgd4j.optimizers.pergradient;

/**
 * Turns per-example squared gradient norms into clipping factors. Supplied by the trainer, which
 * owns the clipping norm, the policy for non-finite norms and the statistics.
 */
@FunctionalInterface
public interface ClipRule {

    /**
     * @param squaredNorms each example's squared L2 gradient norm; not modified
     * @return one factor per example in {@code [0, 1]}, with {@code factor * norm <= C}
     */
    double[] factors(double[] squaredNorms);

    /**
     * The same factors without recording statistics: for examples already counted by
     * {@link #factors}, when an engine recomputes a micro-batch without its skipped examples.
     */
    default double[] recountFree(double[] squaredNorms) {
        return factors(squaredNorms);
    }
}
