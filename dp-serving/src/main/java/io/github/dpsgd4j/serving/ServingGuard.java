package io.github.dpsgd4j.serving;

import io.github.bucket4j.TimeMeter;
import io.github.dpsgd4j.audit.model.LogitMath;
import io.github.dpsgd4j.audit.model.OutputPolicy;
import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.serving.limits.ClientLimiter;
import io.github.dpsgd4j.serving.limits.LimitOutcome;
import io.github.dpsgd4j.serving.log.InputDigest;
import io.github.dpsgd4j.serving.log.QueryLog;
import io.github.dpsgd4j.serving.log.QueryLogEntry;
import io.github.dpsgd4j.serving.probing.ProbingDetector;
import io.github.dpsgd4j.serving.probing.ProbingSettings;
import io.github.dpsgd4j.serving.probing.ProbingSignal;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The guard in front of a served model, usable inside any service: one call,
 * {@link #answer(String, double[][])}, per request. In order:
 * <ol>
 *   <li>the rows are checked (count, length, finite values): bad input is an
 *       {@link IllegalArgumentException} naming what was expected, before anything is spent;</li>
 *   <li>a client in a probing cooldown is refused ({@link Outcome#BLOCKED_PROBING});</li>
 *   <li>the client's rate limit and query budget must cover every row
 *       ({@link Outcome#RATE_LIMITED}, {@link Outcome#BUDGET_EXHAUSTED}, nothing taken when refused);</li>
 *   <li>the model is queried; the probing detector sees every row with the true probabilities, and
 *       a flag (with {@link ProbingSettings.Action#BLOCK}) withholds this answer and starts a cooldown;</li>
 *   <li>the decision is appended to the query log; if that fails the answer is withheld
 *       ({@link Outcome#WITHHELD_LOG_FAILURE}): nothing is released that was not logged;</li>
 *   <li>only what the output policy releases leaves the guard.</li>
 * </ol>
 *
 * <p>Thread-safe if the model is.
 */
public final class ServingGuard {

    private final ServedModel model;
    private final GuardSettings settings;
    private final ClientLimiter limiter;
    private final ProbingDetector detector;
    private final QueryLog log;
    private final Clock wallClock;

    /**
     * A guard on the system clocks.
     *
     * @param log the query log, or null to keep none (decisions are then only in the responses)
     */
    public ServingGuard(ServedModel model, GuardSettings settings, QueryLog log) {
        this(model, settings, log, System::nanoTime, Clock.systemUTC());
    }

    /**
     * A guard on given clocks (tests).
     *
     * @param nanoClock monotonic nanoseconds for limits and probing
     * @param wallClock time stamps of log lines
     */
    public ServingGuard(ServedModel model, GuardSettings settings, QueryLog log, LongSupplier nanoClock,
                        Clock wallClock) {
        this.model = Checks.notNull("model", model);
        this.settings = Checks.notNull("settings", settings);
        Checks.notNull("nanoClock", nanoClock);
        this.wallClock = Checks.notNull("wallClock", wallClock);
        this.limiter = new ClientLimiter(settings.limits(), new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                return nanoClock.getAsLong();
            }

            @Override
            public boolean isWallClockBased() {
                return false;
            }
        });
        this.detector = settings.probing() == null ? null : new ProbingDetector(settings.probing(), nanoClock);
        this.log = log;
    }

    /** The model served. */
    public ServedModel model() {
        return model;
    }

    /** The settings enforced. */
    public GuardSettings settings() {
        return settings;
    }

    /**
     * Decides on one request of {@code client} and, if allowed, answers it.
     *
     * @param client client identity, not null or blank
     * @param rows   [n][inputLength] with 1 <= n <= maxBatch, finite values; not modified
     * @throws IllegalArgumentException for malformed rows (nothing is spent or logged)
     */
    public GuardedAnswer answer(String client, double[][] rows) {
        Checks.notNull("client", client);
        if (client.isBlank()) {
            throw new IllegalArgumentException("client must not be blank");
        }
        checkRows(rows);
        String digest = InputDigest.sha256(rows);
        if (detector != null) {
            Duration blocked = detector.blockedFor(client);
            if (!blocked.isZero()) {
                return refuse(client, rows, digest, new Decision(Outcome.BLOCKED_PROBING, List.of("probing_cooldown"),
                        blocked, -1));
            }
        }
        LimitOutcome limit = limiter.tryAcquire(client, rows.length);
        if (!limit.allowed()) {
            Outcome outcome = limit.kind() == LimitOutcome.Kind.RATE_LIMITED ? Outcome.RATE_LIMITED
                    : Outcome.BUDGET_EXHAUSTED;
            return refuse(client, rows, digest, new Decision(outcome, List.of(outcome.jsonName()), limit.retryAfter(),
                    limit.remainingBudget()));
        }
        double[][] logits = model.logits(rows);
        OutputPolicy policy = settings.policy();
        double[][] released = new double[rows.length][];
        int[] labels = new int[rows.length];
        Set<ProbingSignal> signals = EnumSet.noneOf(ProbingSignal.class);
        boolean blocking = detector != null && settings.probing().action() == ProbingSettings.Action.BLOCK;
        for (int i = 0; i < rows.length; i++) {
            released[i] = policy.release(logits[i]);
            labels[i] = LogitMath.argmax(logits[i]);
            if (detector != null && !(blocking && !signals.isEmpty())) {
                // Once a blocking flag is raised the request is withheld: the remaining rows are not
                // observed, so one request counts as one offence (one cooldown, not several doublings).
                signals.addAll(detector.observe(client, rows[i], LogitMath.softmax(logits[i])));
            }
        }
        List<String> reasons = new ArrayList<>();
        for (ProbingSignal s : signals) {
            reasons.add("probing:" + s.jsonName());
        }
        if (blocking && !signals.isEmpty()) {
            return refuse(client, rows, digest, new Decision(Outcome.BLOCKED_PROBING, reasons,
                    detector.blockedFor(client), limit.remainingBudget()));
        }
        Decision decision = new Decision(Outcome.ANSWERED, reasons, Duration.ZERO, limit.remainingBudget());
        if (!write(client, rows.length, digest, decision, released)) {
            return withheld(limit.remainingBudget());
        }
        return new GuardedAnswer(decision, released, labels);
    }

    private GuardedAnswer refuse(String client, double[][] rows, String digest, Decision decision) {
        if (!write(client, rows.length, digest, decision, null)) {
            return withheld(decision.remainingBudget());
        }
        return new GuardedAnswer(decision, null, null);
    }

    private static GuardedAnswer withheld(long remainingBudget) {
        return new GuardedAnswer(new Decision(Outcome.WITHHELD_LOG_FAILURE, List.of("query_log_unavailable"),
                Duration.ofSeconds(1), remainingBudget), null, null);
    }

    private boolean write(String client, int rows, String digest, Decision decision, double[][] outputs) {
        if (log == null) {
            return true;
        }
        try {
            log.append(new QueryLogEntry(wallClock.instant(), client, rows, digest, decision.outcome().jsonName(),
                    decision.reasons(), decision.answered() ? 0 : decision.retryAfter().toMillis(),
                    decision.remainingBudget(), outputs, Policies.cliName(settings.policy())));
            return true;
        } catch (IOException | RuntimeException ex) {
            return false;
        }
    }

    private void checkRows(double[][] rows) {
        Checks.notNull("rows", rows);
        if (rows.length < 1 || rows.length > settings.maxBatch()) {
            throw new IllegalArgumentException("a request must hold between 1 and " + settings.maxBatch()
                    + " rows, got " + rows.length);
        }
        int d = model.inputLength();
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] == null || rows[i].length != d) {
                throw new IllegalArgumentException("each input must have " + d + " features, got "
                        + (rows[i] == null ? "none" : rows[i].length) + (rows.length > 1 ? " in row " + i : ""));
            }
            for (int j = 0; j < d; j++) {
                if (!Double.isFinite(rows[i][j])) {
                    throw new IllegalArgumentException("features must be finite numbers, got " + rows[i][j]
                            + " at index " + j + (rows.length > 1 ? " of row " + i : ""));
                }
            }
        }
    }
}
