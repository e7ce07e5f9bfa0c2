package io.github.dpsgd4j.accounting;

import io.github.dpsgd4j.common.Checks;

/**
 * {@code event} repeated {@code count} times (adaptive sequential composition). A count of 0 costs
 * no privacy.
 *
 * @param event the repeated event, not null
 * @param count number of repetitions, {@code >= 0}
 */
public record SelfComposedEvent(DpEvent event, long count) implements DpEvent {
    public SelfComposedEvent {
        Checks.notNull("event", event);
        Checks.nonNegative("count", count);
    }
}
