package io.github.dpsgd4j.serving.limits;

import io.github.dpsgd4j.common.Checks;

import java.time.Duration;
import java.util.Optional;

/**
 * How many queries one client may make. A query is one input row (a batch of n rows costs n).
 *
 * @param rate   the rate limit, or null for none
 * @param budget the query budget, or null for none
 */
public record QueryLimits(RateLimit rate, QueryBudget budget) {

    /** No limits (for tests of other guards, and for measuring the guard's own cost). */
    public static QueryLimits unlimited() {
        return new QueryLimits(null, null);
    }

    /** The rate limit, if any. */
    public Optional<RateLimit> rateLimit() {
        return Optional.ofNullable(rate);
    }

    /** The budget, if any. */
    public Optional<QueryBudget> queryBudget() {
        return Optional.ofNullable(budget);
    }

    /**
     * A token bucket: at most {@code burst} queries at once, refilled smoothly at
     * {@code perMinute} queries per minute.
     *
     * @param burst     capacity, {@code >= 1}
     * @param perMinute refill per minute, {@code >= 1}
     */
    public record RateLimit(long burst, long perMinute) {
        public RateLimit {
            Checks.positive("burst", burst);
            Checks.positive("perMinute", perMinute);
        }
    }

    /**
     * At most {@code queries} queries per {@code period}; the whole budget is restored at the end
     * of each period (counted from the client's first query).
     *
     * @param queries queries per period, {@code >= 1}
     * @param period  positive duration
     */
    public record QueryBudget(long queries, Duration period) {
        public QueryBudget {
            Checks.positive("queries", queries);
            Checks.notNull("period", period);
            if (period.isNegative() || period.isZero()) {
                throw new IllegalArgumentException("period must be positive, got " + period);
            }
        }
    }
}
