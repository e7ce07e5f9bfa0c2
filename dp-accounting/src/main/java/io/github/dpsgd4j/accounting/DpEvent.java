package io.github.dpsgd4j.accounting;

import java.util.List;

/**
 * A differentially private release whose privacy cost an accountant can compute: the closed
 * vocabulary of what dpsgd4j accounts for.
 *
 * <p>Adjacency is add/remove of one example (the unit of privacy is one training example); every
 * Gaussian event has L2 sensitivity 1, so its noise multiplier is the noise standard deviation
 * divided by the clipping norm. One DP-SGD step is
 * {@code PoissonSampledEvent(q, GaussianEvent(sigma))}; a training run of {@code T} such steps is
 * {@link #dpSgd(double, double, long)}.
 *
 * <p>Events are immutable values and thread-safe.
 */
public sealed interface DpEvent permits GaussianEvent, PoissonSampledEvent, SelfComposedEvent, ComposedEvent {

    /**
     * {@code steps} DP-SGD steps with Poisson sampling rate {@code sampleRate} and noise
     * multiplier {@code noiseMultiplier}.
     *
     * @param noiseMultiplier noise standard deviation over the L2 clipping norm, finite and {@code >= 0}
     * @param sampleRate      Poisson sampling probability in {@code [0, 1]}
     * @param steps           number of steps, {@code >= 0}
     */
    static DpEvent dpSgd(double noiseMultiplier, double sampleRate, long steps) {
        return new SelfComposedEvent(
                new PoissonSampledEvent(sampleRate, new GaussianEvent(noiseMultiplier)), steps);
    }

    /** The sequential composition of {@code events}, in order. */
    static DpEvent composed(DpEvent... events) {
        return new ComposedEvent(List.of(events));
    }
}
