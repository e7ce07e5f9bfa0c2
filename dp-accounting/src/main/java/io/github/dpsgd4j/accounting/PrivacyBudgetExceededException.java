package io.github.dpsgd4j.accounting;

/**
 * Thrown when an action would spend more privacy than the budget allows. The action has not
 * happened: no step was taken and nothing was recorded.
 */
public final class PrivacyBudgetExceededException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final PrivacyBudget budget;
    private final double epsilonAfter;

    /**
     * @param budget       the budget that would be exceeded
     * @param epsilonAfter the epsilon (at the budget's delta) the refused action would have reached
     * @param message      what was refused and what to do instead
     */
    public PrivacyBudgetExceededException(PrivacyBudget budget, double epsilonAfter, String message) {
        super(message);
        this.budget = budget;
        this.epsilonAfter = epsilonAfter;
    }

    /** The budget that would have been exceeded. */
    public PrivacyBudget budget() {
        return budget;
    }

    /** The epsilon, at the budget's delta, that the refused action would have reached. */
    public double epsilonAfter() {
        return epsilonAfter;
    }
}
