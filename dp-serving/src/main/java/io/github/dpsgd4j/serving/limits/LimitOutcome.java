package io.github.dpsgd4j.serving.limits;

import java.time.Duration;

/**
 * The answer of {@link ClientLimiter#tryAcquire}.
 *
 * @param kind            whether the queries were allowed, and if not which limit refused them
 * @param retryAfter      when refused, how long until the same request can succeed (zero when allowed)
 * @param remainingBudget queries left in the current budget period, or -1 without a budget
 */
public record LimitOutcome(Kind kind, Duration retryAfter, long remainingBudget) {

    /** Which limit decided. */
    public enum Kind {
        /** Within both limits: the tokens were taken. */
        ALLOWED,
        /** Above the rate limit (nothing was taken). */
        RATE_LIMITED,
        /** The budget of the period is spent (nothing was taken). */
        BUDGET_EXHAUSTED
    }

    /** Whether the queries may proceed. */
    public boolean allowed() {
        return kind == Kind.ALLOWED;
    }
}
