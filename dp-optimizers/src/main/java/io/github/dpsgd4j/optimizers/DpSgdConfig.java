package io.github.dpsgd4j.optimizers;

import io.github.dpsgd4j.accounting.AccountantType;
import io.github.dpsgd4j.accounting.PrivacyBudget;
import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.core.clip.NonFiniteNormPolicy;

import java.util.Optional;

/**
 * The privacy settings of a DP-SGD run, validated on construction. Built by
 * {@link DpSgdTrainer.Builder}; saved with every checkpoint. Randomness is not part of it (it is
 * injected, and seeds are never saved).
 *
 * @param l2NormClip          C: every example's gradient is scaled to L2 norm at most C; finite and
 *                            {@code > 0}, or +infinity (no clipping) only together with a noise
 *                            multiplier of 0 (a non-private run)
 * @param noiseMultiplier     sigma: Gaussian noise of standard deviation sigma * C is added to the
 *                            clipped sum at every step; finite and {@code >= 0} (0 is not private)
 * @param sampleRate          q: each example joins a step's batch with probability q; in (0, 1]
 * @param samplingMethod      how batches are drawn; Poisson unless explicitly opted out
 * @param physicalBatchSize   the largest micro-batch run through the network at once; a logical
 *                            batch of any size is processed in micro-batches of at most this many
 *                            examples (memory only: results do not depend on it); {@code >= 1}
 * @param nonFiniteNormPolicy what happens to an example whose gradient norm is NaN or infinite
 * @param budget              a budget training must not exceed, or null for none
 * @param accountant          the accountant used for reports, calibration and the budget guard
 * @param reportingDelta      the delta at which epsilon is reported during training; in (0, 1);
 *                            equal to the budget's delta when a budget is set
 */
public record DpSgdConfig(double l2NormClip,
                          double noiseMultiplier,
                          double sampleRate,
                          SamplingMethod samplingMethod,
                          int physicalBatchSize,
                          NonFiniteNormPolicy nonFiniteNormPolicy,
                          PrivacyBudget budget,
                          AccountantType accountant,
                          double reportingDelta) {

    public DpSgdConfig {
        Checks.positive("l2NormClip", l2NormClip);
        Checks.finiteNonNegative("noiseMultiplier", noiseMultiplier);
        if (l2NormClip == Double.POSITIVE_INFINITY && noiseMultiplier != 0) {
            throw new IllegalArgumentException("l2NormClip may be infinite (no clipping) only with noiseMultiplier 0,"
                    + " got noiseMultiplier " + noiseMultiplier + ": noise of infinite scale is meaningless");
        }
        if (Double.isInfinite(noiseMultiplier * l2NormClip) && noiseMultiplier != 0) {
            throw new IllegalArgumentException("noiseMultiplier " + noiseMultiplier + " times l2NormClip " + l2NormClip
                    + " overflows a double: the noise would turn every parameter into NaN; use a noise multiplier "
                    + "below " + (Double.MAX_VALUE / 10 / l2NormClip));
        }
        Checks.sampleRate("sampleRate", sampleRate);
        StepPlan.stepsPerEpoch(sampleRate); // refuses a rate whose epoch does not fit
        Checks.notNull("samplingMethod", samplingMethod);
        Checks.positive("physicalBatchSize", physicalBatchSize);
        Checks.notNull("nonFiniteNormPolicy", nonFiniteNormPolicy);
        Checks.notNull("accountant", accountant);
        Checks.openUnitInterval("reportingDelta", reportingDelta);
        if (budget != null && budget.delta() != reportingDelta) {
            throw new IllegalArgumentException("reportingDelta must equal the budget's delta " + budget.delta()
                    + ", got " + reportingDelta);
        }
    }

    /** The budget, if one was set. */
    public Optional<PrivacyBudget> optionalBudget() {
        return Optional.ofNullable(budget);
    }

    /** Whether this run adds noise at all (a noise multiplier of 0 gives no privacy). */
    public boolean isPrivate() {
        return noiseMultiplier > 0;
    }

    /** The standard deviation of the noise added to each coordinate of the clipped sum: sigma * C. */
    public double noiseStandardDeviation() {
        return noiseMultiplier == 0 ? 0 : noiseMultiplier * l2NormClip;
    }
}
