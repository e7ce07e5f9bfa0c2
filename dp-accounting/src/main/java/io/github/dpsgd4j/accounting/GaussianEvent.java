package io.github.dpsgd4j.accounting;

import io.github.dpsgd4j.common.Checks;

/**
 * The Gaussian mechanism with L2 sensitivity 1 and noise standard deviation
 * {@code noiseMultiplier}. A noise multiplier of 0 is a non-private release (epsilon = +infinity).
 *
 * @param noiseMultiplier finite and {@code >= 0}; NaN and infinities are rejected
 */
public record GaussianEvent(double noiseMultiplier) implements DpEvent {
    public GaussianEvent {
        Checks.finiteNonNegative("noiseMultiplier", noiseMultiplier);
    }
}
