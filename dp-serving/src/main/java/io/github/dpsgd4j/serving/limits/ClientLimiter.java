package io.github.dpsgd4j.serving.limits;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.local.LocalBucketBuilder;
import io.github.dpsgd4j.common.Checks;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The rate limit and query budget of every client, one pair of Bucket4j token buckets per client
 * identity (created on first use). Checking the rate first and the budget second, a refused request
 * takes no tokens from either bucket.
 *
 * <p>Thread-safe.
 */
public final class ClientLimiter {

    private final QueryLimits limits;
    private final TimeMeter clock;
    private final ConcurrentMap<String, Buckets> clients = new ConcurrentHashMap<>();

    private record Buckets(Bucket rate, Bucket budget) {
    }

    /** Limits on the system clock. */
    public ClientLimiter(QueryLimits limits) {
        this(limits, TimeMeter.SYSTEM_NANOTIME);
    }

    /**
     * Limits on a given clock (tests use a manual one).
     *
     * @param clock Bucket4j time source, nanoseconds
     */
    public ClientLimiter(QueryLimits limits, TimeMeter clock) {
        this.limits = Checks.notNull("limits", limits);
        this.clock = Checks.notNull("clock", clock);
    }

    /** The limits applied. */
    public QueryLimits limits() {
        return limits;
    }

    /**
     * Takes {@code queries} tokens for {@code client} if both limits allow it.
     *
     * @param client  client identity, not null
     * @param queries number of query rows, {@code >= 1}
     */
    public LimitOutcome tryAcquire(String client, long queries) {
        Checks.notNull("client", client);
        Checks.positive("queries", queries);
        Buckets b = clients.computeIfAbsent(client, c -> create());
        synchronized (b) {
            if (b.rate() != null) {
                EstimationProbe estimate = b.rate().estimateAbilityToConsume(queries);
                if (!estimate.canBeConsumed()) {
                    return new LimitOutcome(LimitOutcome.Kind.RATE_LIMITED, waitOf(estimate.getNanosToWaitForRefill()),
                            remaining(b));
                }
            }
            if (b.budget() != null) {
                ConsumptionProbe probe = b.budget().tryConsumeAndReturnRemaining(queries);
                if (!probe.isConsumed()) {
                    return new LimitOutcome(LimitOutcome.Kind.BUDGET_EXHAUSTED,
                            waitOf(probe.getNanosToWaitForRefill()), probe.getRemainingTokens());
                }
            }
            if (b.rate() != null) {
                b.rate().consumeIgnoringRateLimits(queries);
            }
            return new LimitOutcome(LimitOutcome.Kind.ALLOWED, Duration.ZERO, remaining(b));
        }
    }

    private static long remaining(Buckets b) {
        return b.budget() == null ? -1 : b.budget().getAvailableTokens();
    }

    private static Duration waitOf(long nanos) {
        return Duration.ofNanos(Math.max(nanos, 1));
    }

    private Buckets create() {
        Bucket rate = limits.rateLimit().map(r -> builder()
                .addLimit(l -> l.capacity(r.burst()).refillGreedy(r.perMinute(), Duration.ofMinutes(1)))
                .build()).orElse(null);
        Bucket budget = limits.queryBudget().map(q -> builder()
                .addLimit(l -> l.capacity(q.queries()).refillIntervally(q.queries(), q.period()))
                .build()).orElse(null);
        return new Buckets(rate, budget);
    }

    private LocalBucketBuilder builder() {
        return Bucket.builder().withCustomTimePrecision(clock);
    }
}
