package io.github.dpsgd4j.accounting;

/**
 * Tracks the privacy spent by a sequence of {@link DpEvent}s and answers (epsilon, delta) queries.
 *
 * <p>An accountant is mutable: {@link #compose(DpEvent)} appends to its history. Every answer is an
 * upper bound on the true privacy loss: when an approximation is needed it errs toward privacy
 * (a larger epsilon or delta), and a numerical failure gives an exception or +infinity, never a
 * smaller number.
 *
 * <p>Implementations are not thread-safe; confine an accountant to one thread or synchronise
 * externally. {@link #copy()} gives an independent accountant with the same history.
 */
public interface PrivacyAccountant {

    /** Which accountant this is. */
    AccountantType type();

    /**
     * Appends {@code event} to the history.
     *
     * @param event the event, not null
     * @return this accountant
     * @throws IllegalArgumentException if this accountant cannot account for the event (for
     *                                  example a Poisson-sampled composition); the history is then
     *                                  unchanged
     */
    PrivacyAccountant compose(DpEvent event);

    /** Everything composed so far, as one {@link ComposedEvent} in composition order. */
    ComposedEvent history();

    /**
     * The smallest epsilon this accountant can certify for the history at {@code delta}.
     *
     * @param delta in {@code (0, 1)}
     * @return epsilon {@code >= 0}, or +infinity when no finite epsilon holds (for example after a
     * noise multiplier of 0)
     * @throws IllegalArgumentException if delta is NaN or outside {@code (0, 1)}
     */
    double epsilon(double delta);

    /**
     * The smallest delta this accountant can certify for the history at {@code epsilon}.
     *
     * @param epsilon finite and {@code >= 0}
     * @return delta in {@code [0, 1]}
     * @throws IllegalArgumentException if epsilon is NaN, infinite or negative
     */
    double delta(double epsilon);

    /** An independent accountant of the same type, settings and history. */
    PrivacyAccountant copy();

    /** The (epsilon, delta) guarantee of the history at {@code delta}. */
    default PrivacyGuarantee guarantee(double delta) {
        return new PrivacyGuarantee(epsilon(delta), delta, type());
    }
}
