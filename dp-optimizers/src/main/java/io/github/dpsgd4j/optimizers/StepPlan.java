package io.github.dpsgd4j.optimizers;

import io.github.dpsgd4j.common.Checks;

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

    /** The most steps one epoch may have: {@code ceil(1 / q)} must fit in an int. */
    public static final long MAX_STEPS_PER_EPOCH = Integer.MAX_VALUE;
    /** The most steps a plan may have: 2^53, below which every count is exact in a double. */
    public static final long MAX_TOTAL_STEPS = 1L << 53;

    /**
     * Steps in one epoch at sampling rate q: {@code ceil(1 / q)}.
     *
     * @throws IllegalArgumentException if q is outside (0, 1] or {@code ceil(1 / q)} exceeds
     *                                  {@link #MAX_STEPS_PER_EPOCH}
     */
    public static long stepsPerEpoch(double sampleRate) {
        Checks.sampleRate("sampleRate", sampleRate);
        double steps = Math.ceil(1.0 / sampleRate);
        if (!(steps <= MAX_STEPS_PER_EPOCH)) {
            throw new IllegalArgumentException("sampleRate " + sampleRate + " gives " + steps + " steps per epoch "
                    + "(1 / sampleRate), more than " + MAX_STEPS_PER_EPOCH + ": use sampleRate = expected batch size "
                    + "/ training-set size, at least " + (1.0 / MAX_STEPS_PER_EPOCH));
        }
        return (long) steps;
    }

    /** Steps in one epoch of this plan: {@code ceil(1 / q)}. */
    public long stepsPerEpoch() {
        return stepsPerEpoch(sampleRate);
    }

    /**
     * All steps of the plan: {@code ceil(epochs * ceil(1 / q))}.
     *
     * @throws IllegalArgumentException if that exceeds {@link #MAX_TOTAL_STEPS}
     */
    public long totalSteps() {
        double steps = Math.ceil(epochs * stepsPerEpoch());
        if (!(steps <= MAX_TOTAL_STEPS)) {
            throw new IllegalArgumentException("epochs " + epochs + " at sampleRate " + sampleRate + " give " + steps
                    + " steps, more than " + MAX_TOTAL_STEPS + ": plan fewer epochs");
        }
        return (long) steps;
    }
}
