package io.github.dpsgd4j.serving.probing;

import io.github.dpsgd4j.common.Checks;

import java.time.Duration;

/**
 * Thresholds of the {@link ProbingDetector}. Distances are root-mean-square differences per
 * feature, ||x - y||<sub>2</sub> / sqrt(d), in the units of the features (pixels in [0, 1] for
 * the digits and Fashion-MNIST models), so one setting fits any input length.
 *
 * @param history              queries remembered per client, {@code >= 2}
 * @param burstWindow          how far back a burst is counted, positive
 * @param nearDuplicateRadius  RMS distance at or below which two inputs are near-duplicates, finite and {@code >= 0}
 * @param nearDuplicateLimit   near-duplicates of one input within {@code burstWindow} that flag a burst, {@code >= 1}
 * @param climbStepRadius      largest RMS step between consecutive queries of a climb, finite and {@code > 0}
 * @param climbLength          consecutive small steps examined for a climb, {@code >= 2}
 * @param climbRiseFraction    fraction of those steps on which one class's probability must rise, in (0, 1]
 * @param climbMinimumGain     total rise of that probability over the chain, in [0, 1]
 * @param focusLength          recent queries examined for class focus, {@code >= 2} and {@code <= history}
 * @param focusFraction        fraction of them predicted as one class that flags focus, in (0, 1]
 * @param cooldown             how long a flagged client is refused (per flag, doubling on repeat offences), positive
 * @param action               whether a flag blocks the client or is only reported
 */
public record ProbingSettings(int history, Duration burstWindow, double nearDuplicateRadius, int nearDuplicateLimit,
                              double climbStepRadius, int climbLength, double climbRiseFraction,
                              double climbMinimumGain, int focusLength, double focusFraction, Duration cooldown,
                              Action action) {

    /** What a flag does. */
    public enum Action {
        /** Refuse the query that completed the pattern and the client's queries during the cooldown. */
        BLOCK,
        /** Answer as usual; report the flag in the response and the log. */
        REPORT_ONLY
    }

    public ProbingSettings {
        Checks.positive("history", history);
        if (history < 2) {
            throw new IllegalArgumentException("history must be >= 2, got " + history);
        }
        positive("burstWindow", burstWindow);
        Checks.finiteNonNegative("nearDuplicateRadius", nearDuplicateRadius);
        Checks.positive("nearDuplicateLimit", nearDuplicateLimit);
        Checks.finitePositive("climbStepRadius", climbStepRadius);
        if (climbLength < 2 || climbLength >= history) {
            throw new IllegalArgumentException("climbLength must be in [2, history), got " + climbLength);
        }
        if (!(climbRiseFraction > 0 && climbRiseFraction <= 1)) {
            throw new IllegalArgumentException("climbRiseFraction must be in (0, 1], got " + climbRiseFraction);
        }
        Checks.inClosedRange("climbMinimumGain", climbMinimumGain, 0, 1);
        if (focusLength < 2 || focusLength > history) {
            throw new IllegalArgumentException("focusLength must be in [2, history], got " + focusLength);
        }
        if (!(focusFraction > 0 && focusFraction <= 1)) {
            throw new IllegalArgumentException("focusFraction must be in (0, 1], got " + focusFraction);
        }
        positive("cooldown", cooldown);
        Checks.notNull("action", action);
    }

    /**
     * Defaults for features in [0, 1]: 64 queries remembered; a burst is 8 near-duplicates (RMS
     * distance <= 0.01) within 10 s; a climb is 12 consecutive steps of RMS <= 0.05 on which one
     * class's probability rises at least 75% of the time and by at least 0.05 in total; focus is 95%
     * of the last 64 queries predicted as one class; a flag blocks for 60 s (doubling on repeat).
     */
    public static ProbingSettings defaults() {
        return new ProbingSettings(64, Duration.ofSeconds(10), 0.01, 8, 0.05, 12, 0.75, 0.05, 64, 0.95,
                Duration.ofSeconds(60), Action.BLOCK);
    }

    /** A copy with another action. */
    public ProbingSettings withAction(Action value) {
        return new ProbingSettings(history, burstWindow, nearDuplicateRadius, nearDuplicateLimit, climbStepRadius,
                climbLength, climbRiseFraction, climbMinimumGain, focusLength, focusFraction, cooldown, value);
    }

    /** A copy with another cooldown. */
    public ProbingSettings withCooldown(Duration value) {
        return new ProbingSettings(history, burstWindow, nearDuplicateRadius, nearDuplicateLimit, climbStepRadius,
                climbLength, climbRiseFraction, climbMinimumGain, focusLength, focusFraction, value, action);
    }

    private static void positive(String name, Duration d) {
        Checks.notNull(name, d);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, got " + d);
        }
    }
}
