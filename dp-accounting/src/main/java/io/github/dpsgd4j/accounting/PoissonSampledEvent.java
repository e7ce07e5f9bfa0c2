package io.github.dpsgd4j.accounting;

import io.github.dpsgd4j.common.Checks;

/**
 * {@code event} run on a Poisson sample of the data: each example is included independently with
 * probability {@code sampleRate}. A sample rate of 0 costs no privacy; 1 is the unsampled event.
 *
 * @param sampleRate Poisson sampling probability in {@code [0, 1]}
 * @param event      the event applied to the sample, not null
 */
public record PoissonSampledEvent(double sampleRate, DpEvent event) implements DpEvent {
    public PoissonSampledEvent {
        Checks.probability("sampleRate", sampleRate);
        Checks.notNull("event", event);
    }
}
