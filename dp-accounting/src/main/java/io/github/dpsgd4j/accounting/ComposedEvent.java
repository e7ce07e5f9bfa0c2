package io.github.dpsgd4j.accounting;

import io.github.dpsgd4j.common.Checks;
import java.util.List;

/**
 * The adaptive sequential composition of {@code events}, in order. The empty composition costs no
 * privacy. The list is copied; later changes to the caller's list have no effect.
 *
 * @param events the composed events, not null and without null elements
 */
public record ComposedEvent(List<DpEvent> events) implements DpEvent {
    public ComposedEvent {
        Checks.notNull("events", events);
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i) == null) {
                throw new IllegalArgumentException("events[" + i + "] must not be null");
            }
        }
        events = List.copyOf(events);
    }
}
