package io.github.dpsgd4j.serving.limits;

import io.github.dpsgd4j.serving.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientLimiterTest {

    private final ManualClock clock = new ManualClock();

    @Test
    void rateLimit_allowsTheBurst_thenRefusesWithTheTimeToTheNextToken() {
        ClientLimiter limiter = new ClientLimiter(new QueryLimits(new QueryLimits.RateLimit(5, 60), null), clock);
        for (int i = 0; i < 5; i++) {
            assertTrue(limiter.tryAcquire("alice", 1).allowed(), "query " + i);
        }
        LimitOutcome refused = limiter.tryAcquire("alice", 1);
        assertEquals(LimitOutcome.Kind.RATE_LIMITED, refused.kind());
        // 60 per minute: one token per second.
        assertTrue(refused.retryAfter().compareTo(Duration.ofMillis(900)) > 0
                && refused.retryAfter().compareTo(Duration.ofMillis(1001)) <= 0, refused.retryAfter().toString());
        clock.advance(Duration.ofSeconds(1));
        assertTrue(limiter.tryAcquire("alice", 1).allowed());
    }

    @Test
    void rateLimit_isPerClient() {
        ClientLimiter limiter = new ClientLimiter(new QueryLimits(new QueryLimits.RateLimit(2, 60), null), clock);
        assertTrue(limiter.tryAcquire("alice", 2).allowed());
        assertFalse(limiter.tryAcquire("alice", 1).allowed());
        assertTrue(limiter.tryAcquire("bob", 2).allowed());
    }

    @Test
    void budget_exhausted_refusesUntilThePeriodEnds_andTakesNothingFromTheRate() {
        ClientLimiter limiter = new ClientLimiter(new QueryLimits(new QueryLimits.RateLimit(10, 600),
                new QueryLimits.QueryBudget(4, Duration.ofHours(1))), clock);
        LimitOutcome first = limiter.tryAcquire("alice", 3);
        assertTrue(first.allowed());
        assertEquals(1, first.remainingBudget());
        LimitOutcome refused = limiter.tryAcquire("alice", 2);
        assertEquals(LimitOutcome.Kind.BUDGET_EXHAUSTED, refused.kind());
        assertEquals(1, refused.remainingBudget());
        assertTrue(refused.retryAfter().compareTo(Duration.ofMinutes(59)) > 0, refused.retryAfter().toString());
        // The refused request took no rate tokens: 7 are left of the burst of 10.
        assertTrue(limiter.tryAcquire("alice", 1).allowed());
        clock.advance(Duration.ofHours(1));
        assertTrue(limiter.tryAcquire("alice", 4).allowed());
    }

    @Test
    void rateRefusal_takesNothingFromTheBudget() {
        ClientLimiter limiter = new ClientLimiter(new QueryLimits(new QueryLimits.RateLimit(2, 1),
                new QueryLimits.QueryBudget(3, Duration.ofDays(1))), clock);
        assertTrue(limiter.tryAcquire("alice", 2).allowed());
        for (int i = 0; i < 5; i++) {
            assertEquals(LimitOutcome.Kind.RATE_LIMITED, limiter.tryAcquire("alice", 1).kind());
        }
        clock.advance(Duration.ofMinutes(1));
        LimitOutcome ok = limiter.tryAcquire("alice", 1);
        assertTrue(ok.allowed());
        assertEquals(0, ok.remainingBudget());
    }

    @Test
    void unlimited_neverRefuses_andReportsNoBudget() {
        ClientLimiter limiter = new ClientLimiter(QueryLimits.unlimited(), clock);
        for (int i = 0; i < 1000; i++) {
            assertTrue(limiter.tryAcquire("alice", 100).allowed());
        }
        assertEquals(-1, limiter.tryAcquire("alice", 1).remainingBudget());
    }

    @Test
    void badArguments_areRefusedWithTheirNames() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new QueryLimits.RateLimit(0, 10))
                .getMessage().contains("burst"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new QueryLimits.QueryBudget(10, Duration.ZERO)).getMessage().contains("period"));
        ClientLimiter limiter = new ClientLimiter(QueryLimits.unlimited(), clock);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> limiter.tryAcquire("a", 0))
                .getMessage().contains("queries"));
    }
}
