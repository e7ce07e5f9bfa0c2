package io.github.dpsgd4j.accounting;

/**
 * One segment of a DP-SGD privacy ledger: {@code steps} consecutive steps, each a Poisson sample
 * with rate {@code sampleRate} and Gaussian noise of multiplier {@code noiseMultiplier}.
 *
 * @param noiseMultiplier noise standard deviation over the clipping norm, finite and {@code >= 0}
 * @param sampleRate      Poisson sampling probability in {@code [0, 1]}
 * @param steps           number of steps, {@code >= 0}
 */
public record LedgerEntry(double noiseMultiplier, double sampleRate, long steps) {

    public LedgerEntry {
        Checks.finiteNonNegative("noiseMultiplier", noiseMultiplier);
        Checks.probability("sampleRate", sampleRate);
        Checks.nonNegative("steps", steps);
    }

    /** This segment as a DP event: {@code steps} self-compositions of the sampled Gaussian. */
    public DpEvent toEvent() {
        return DpEvent.dpSgd(noiseMultiplier, sampleRate, steps);
    }

    /** Whether a step with these parameters continues this segment (bit-for-bit equal doubles). */
    boolean sameMechanism(double otherNoiseMultiplier, double otherSampleRate) {
        return Double.compare(noiseMultiplier, otherNoiseMultiplier) == 0
                && Double.compare(sampleRate, otherSampleRate) == 0;
    }
}
