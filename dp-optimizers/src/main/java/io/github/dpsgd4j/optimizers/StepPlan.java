package io.github.dpsgd4j.optimizers;

import io.github.dpsgd4j.accounting.Checks;

/**
 * The one owner of the epochs-to-steps arithmetic. An epoch of Poisson-sampled DP-SGD is
 * {@code ceil(1 / q)} steps (N examples in expectation); a plan of {@code e} epochs (fractions
 * allowed) is {@code ceil(e * ceil(1 / q))} steps. Calibration, the trainer's loops and every
 * caller that needs a step count use this record, so a model calibrated for a budget takes exactly
 * the steps it was calibrated for.
 *
 * @param sampleRate q, in (0, 1]
 * @param epochs     finite, {@code >= 0}
 */
public record StepPlan(double sampleRate, double epochs) {

    /** Validates the ranges above. */
    public StepPlan {
        Checks.sampleRate("sampleRate", sampleRate);
        Checks.finiteNonNegative("epochs", epochs);
    }

    /** A plan of {@code epochs} epochs at sampling rate {@code sampleRate}. */
    public static StepPlan of(double sampleRate, double epochs) {
        return new StepPlan(sampleRate, epochs);
    }

    /** Steps in one epoch at sampling rate q: {@code ceil(1 / q)}. */
    public static long stepsPerEpoch(double sampleRate) {
        Checks.sampleRate("sampleRate", sampleRate);
        return (long) Math.ceil(1.0 / sampleRate);
    }

    /** Steps in one epoch of this plan: {@code ceil(1 / q)}. */
    public long stepsPerEpoch() {
        return stepsPerEpoch(sampleRate);
    }

    /** All steps of the plan: {@code ceil(epochs * ceil(1 / q))}. */
    public long totalSteps() {
        return (long) Math.ceil(epochs * stepsPerEpoch());
    }
}
