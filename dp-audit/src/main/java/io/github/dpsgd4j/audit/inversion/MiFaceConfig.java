package io.github.dpsgd4j.audit.inversion;

import io.github.dpsgd4j.common.Checks;

/**
 * Settings of MI-Face (Fredrikson et al. 2015, Algorithm 1, MI-FACE(label, alpha, beta, gamma,
 * lambda)). The paper's cost is c(x) = 1 - f<sub>label</sub>(x); each step is x &lt;- clip(x -
 * lambda grad c(x), [0, 1]) (projection to the pixel range); the search returns the lowest-cost
 * iterate and stops
 * <ul>
 *   <li>after {@code maxIterations} steps (the paper's alpha, 5000);</li>
 *   <li>when c(x<sub>i</sub>) &gt;= max(c(x<sub>i-1</sub>), ..., c(x<sub>i-beta</sub>)) with
 *       beta = {@code patience} (the paper's 100);</li>
 *   <li>when f<sub>label</sub>(x) &gt;= {@code targetConfidence}, i.e. c &lt;= gamma = 1 -
 *       targetConfidence. The paper's gamma = 0.99 would stop as soon as the confidence exceeds
 *       0.01, which public reimplementations read differently; an explicit target confidence
 *       (default 0.99, i.e. gamma = 0.01) removes the ambiguity.</li>
 * </ul>
 * Black-box gradients are estimated from confidence queries: central finite differences along
 * every pixel ({@code randomDirections == 0}, 2d queries per step) or along that many random
 * Gaussian directions (antithetic pairs, a zeroth-order estimate for large images).
 *
 * @param maxIterations           alpha, > 0
 * @param patience                beta, > 0
 * @param targetConfidence        in (0, 1]
 * @param stepSize                lambda, finite and > 0 (the paper's 0.1)
 * @param start                   starting image
 * @param finiteDifferenceStep    h for black-box differences, finite and > 0
 * @param randomDirections        0 for coordinate-wise differences, else directions per step (> 0)
 * @param seed                    seed for the uniform start and random directions (attacker randomness)
 */
public record MiFaceConfig(int maxIterations, int patience, double targetConfidence, double stepSize,
                           StartPoint start, double finiteDifferenceStep, int randomDirections, long seed) {

    public MiFaceConfig {
        Checks.positive("maxIterations", maxIterations);
        Checks.positive("patience", patience);
        if (!(targetConfidence > 0 && targetConfidence <= 1)) {
            throw new IllegalArgumentException("targetConfidence must be in (0, 1], got " + targetConfidence);
        }
        Checks.finitePositive("stepSize", stepSize);
        Checks.notNull("start", start);
        Checks.finitePositive("finiteDifferenceStep", finiteDifferenceStep);
        Checks.nonNegative("randomDirections", randomDirections);
    }

    /** The paper's settings: alpha = 5000, beta = 100, target confidence 0.99, lambda = 0.1, from zeros. */
    public static MiFaceConfig paper() {
        return new MiFaceConfig(5000, 100, 0.99, 0.1, StartPoint.ZEROS, 1e-3, 0, 0);
    }

    /** A copy with another maximum number of iterations. */
    public MiFaceConfig withMaxIterations(int value) {
        return new MiFaceConfig(value, patience, targetConfidence, stepSize, start, finiteDifferenceStep,
                randomDirections, seed);
    }

    /** A copy with another start. */
    public MiFaceConfig withStart(StartPoint value) {
        return new MiFaceConfig(maxIterations, patience, targetConfidence, stepSize, value, finiteDifferenceStep,
                randomDirections, seed);
    }

    /** A copy with another step size. */
    public MiFaceConfig withStepSize(double value) {
        return new MiFaceConfig(maxIterations, patience, targetConfidence, value, start, finiteDifferenceStep,
                randomDirections, seed);
    }

    /** A copy with another number of random directions (0: coordinate-wise differences). */
    public MiFaceConfig withRandomDirections(int value) {
        return new MiFaceConfig(maxIterations, patience, targetConfidence, stepSize, start, finiteDifferenceStep,
                value, seed);
    }

    /** A copy with another target confidence. */
    public MiFaceConfig withTargetConfidence(double value) {
        return new MiFaceConfig(maxIterations, patience, value, stepSize, start, finiteDifferenceStep,
                randomDirections, seed);
    }
}
