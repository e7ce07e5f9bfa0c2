package io.github.dpsgd4j.serving;

import io.github.dpsgd4j.common.Checks;

import java.time.Duration;
import java.util.List;

/**
 * The guard's decision on one request, shown to the client and written to the log.
 *
 * @param outcome         what happened
 * @param reasons         why: probing signals ({@code probing:<signal>}), {@code probing_cooldown},
 *                        the refusing limit; empty when answered without remarks
 * @param retryAfter      when refused, how long until a retry can succeed; zero otherwise
 * @param remainingBudget queries left in the client's budget period, -1 without a budget
 */
public record Decision(Outcome outcome, List<String> reasons, Duration retryAfter, long remainingBudget) {

    public Decision {
        Checks.notNull("outcome", outcome);
        reasons = List.copyOf(reasons);
        Checks.notNull("retryAfter", retryAfter);
    }

    /** Whether the output was released. */
    public boolean answered() {
        return outcome == Outcome.ANSWERED;
    }

    /** Whole seconds to announce in an HTTP {@code Retry-After} header: the wait rounded up, at least 1. */
    public long retryAfterSeconds() {
        long s = retryAfter.getSeconds() + (retryAfter.getNano() > 0 ? 1 : 0);
        return Math.max(1, s);
    }
}
