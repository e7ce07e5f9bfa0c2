package io.github.dpsgd4j.accounting;

import io.github.dpsgd4j.common.Checks;

/**
 * One segment of a DP-SGD privacy ledger: {@code steps} consecutive steps, each a batch drawn by
 * {@code samplingMethod} with rate {@code sampleRate} and Gaussian noise of multiplier
 * {@code noiseMultiplier}. A segment of {@link SamplingMethod#SHUFFLED_FIXED_SIZE} steps is
 * accounted as if it were Poisson-sampled, and the result is then not a certified bound.
 *
 * @param noiseMultiplier noise standard deviation over the clipping norm, finite and {@code >= 0}
 * @param sampleRate      sampling probability (Poisson) or batch fraction (shuffled) in {@code [0, 1]}
 * @param steps           number of steps, {@code >= 0}
 * @param samplingMethod  how the batches were drawn, not null
 */
public record LedgerEntry(double noiseMultiplier, double sampleRate, long steps, SamplingMethod samplingMethod) {

    public LedgerEntry {
        Checks.finiteNonNegative("noiseMultiplier", noiseMultiplier);
        Checks.probability("sampleRate", sampleRate);
        Checks.nonNegative("steps", steps);
        Checks.notNull("samplingMethod", samplingMethod);
    }

    /** A segment of Poisson-sampled steps (the certified case). */
    public LedgerEntry(double noiseMultiplier, double sampleRate, long steps) {
        this(noiseMultiplier, sampleRate, steps, SamplingMethod.POISSON);
    }

    /**
     * This segment as a DP event: {@code steps} self-compositions of the Poisson-sampled Gaussian
     * (also for shuffled segments, whose accounting is then an approximation).
     */
    public DpEvent toEvent() {
        return DpEvent.dpSgd(noiseMultiplier, sampleRate, steps);
    }

    /** Whether a step with these parameters continues this segment (bit-for-bit equal doubles, same method). */
    boolean sameMechanism(double otherNoiseMultiplier, double otherSampleRate, SamplingMethod otherMethod) {
        return Double.compare(noiseMultiplier, otherNoiseMultiplier) == 0
                && Double.compare(sampleRate, otherSampleRate) == 0
                && samplingMethod == otherMethod;
    }
}
