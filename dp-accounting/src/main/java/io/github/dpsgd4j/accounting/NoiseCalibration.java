package io.github.dpsgd4j.accounting;

import io.github.dpsgd4j.accounting.rdp.RdpAccountant;
import io.github.dpsgd4j.common.Checks;

import java.util.List;
import java.util.function.DoubleUnaryOperator;
import java.util.function.LongToDoubleFunction;
import java.util.function.Supplier;

/**
 * Calibration for DP-SGD, for any {@link AccountantType}: the noise multiplier that meets a
 * privacy target, and how many more steps a budget allows.
 *
 * <p>Both searches err toward privacy. {@link #noiseMultiplier} returns a sigma whose epsilon has
 * been computed and is within the target, and that lies at most {@value #RELATIVE_TOLERANCE}
 * (relative) above the exact root, never below it. {@link #maxSteps} returns the exact boundary:
 * k steps fit, k + 1 do not.
 *
 * <p>Each call costs few accountant evaluations, which matters for accountants that take tenths
 * of a second per query: noise multipliers are searched in log(sigma), where epsilon is close to
 * a power law, by false position with the Illinois modification (Dowell and Jarratt 1971) and a
 * bisection safeguard, starting from the RDP answer when the accountant is not RDP. Step counts
 * are searched the same way on the integers, starting from the RDP step count.
 *
 * <p>Thread-safe: stateless (the accountants it creates are confined to the call).
 */
public final class NoiseCalibration {

    /** The largest relative distance between a calibrated noise multiplier and the exact root. */
    public static final double RELATIVE_TOLERANCE = 1e-4;
    /** Noise multipliers are searched in [MIN, MAX]; targets outside it are reported as errors. */
    public static final double MIN_NOISE_MULTIPLIER = 1e-6;
    /** See {@link #MIN_NOISE_MULTIPLIER}. */
    public static final double MAX_NOISE_MULTIPLIER = 1e7;

    private NoiseCalibration() {
    }

    /**
     * The smallest noise multiplier sigma for which {@code steps} DP-SGD steps at sampling rate
     * {@code sampleRate} satisfy {@code target} under a new accountant of {@code type}, to
     * {@value #RELATIVE_TOLERANCE} relative: the returned sigma meets the target (its epsilon at
     * {@code target.delta()} was computed and is {@code <= target.epsilon()}), and a noise
     * multiplier at least {@code sigma / (1 + 1e-4)} was computed not to meet it. Since epsilon
     * decreases with sigma (as it does for the exact RDP and for every tested setting), the exact root
     * lies in between: sigma is never below it.
     *
     * @param type       the accountant, not null
     * @param target     the privacy target, not null
     * @param sampleRate Poisson sampling rate in (0, 1]
     * @param steps      number of steps, {@code > 0}
     * @throws IllegalArgumentException if an argument is invalid, or if no noise multiplier in
     *                                  [{@value #MIN_NOISE_MULTIPLIER}, {@value #MAX_NOISE_MULTIPLIER}]
     *                                  is the answer (the target is too strict, or so loose that
     *                                  almost no noise meets it)
     */
    public static double noiseMultiplier(AccountantType type, PrivacyBudget target, double sampleRate, long steps) {
        Checks.notNull("type", type);
        return noiseMultiplier(type::newAccountant, target, sampleRate, steps);
    }

    /**
     * As {@link #noiseMultiplier(AccountantType, PrivacyBudget, double, long)}, with accountants
     * from {@code accountants} (each call must return a new, empty accountant; for example
     * {@code RdpAccountant::opacusCompatible}).
     */
    public static double noiseMultiplier(Supplier<? extends PrivacyAccountant> accountants, PrivacyBudget target,
                                         double sampleRate, long steps) {
        Checks.notNull("accountants", accountants);
        Checks.notNull("target", target);
        Checks.sampleRate("sampleRate", sampleRate);
        Checks.positive("steps", steps);
        double delta = target.delta();
        DoubleUnaryOperator epsilonAt = sigma -> accountants.get()
                .compose(DpEvent.dpSgd(sigma, sampleRate, steps)).epsilon(delta);

        double guess;
        double firstStep;
        if (accountants.get().type() == AccountantType.RDP) {
            guess = roughGuess(target, sampleRate, steps);
            firstStep = Math.log(2);
        } else {
            // The RDP answer is a few per cent above the tight one: start there, with small steps.
            guess = noiseMultiplier(RdpAccountant::create, target, sampleRate, steps);
            firstStep = Math.log(1.1);
        }
        return calibrate(epsilonAt, target, sampleRate, steps, guess, firstStep);
    }

    /**
     * The largest {@code k >= 0} such that {@code history} followed by {@code k} DP-SGD steps
     * (noise multiplier {@code noiseMultiplier}, sampling rate {@code sampleRate}) stays within
     * {@code budget} under a new accountant of {@code type}: k steps fit and k + 1 do not, with
     * epsilon computed at {@code budget.delta()}. {@link Long#MAX_VALUE} when every step count fits.
     *
     * @param history the privacy already spent, not null (an empty {@link ComposedEvent} for none)
     * @throws PrivacyBudgetExceededException if the history alone already exceeds the budget
     * @throws IllegalArgumentException       if an argument is invalid or the accountant cannot
     *                                        account for the history
     */
    public static long maxSteps(AccountantType type, DpEvent history, double noiseMultiplier, double sampleRate,
                                PrivacyBudget budget) {
        Checks.notNull("type", type);
        Checks.notNull("history", history);
        return maxSteps(type.newAccountant().compose(history), noiseMultiplier, sampleRate, budget);
    }

    /** {@link #maxSteps(AccountantType, DpEvent, double, double, PrivacyBudget)} with an empty history. */
    public static long maxSteps(AccountantType type, double noiseMultiplier, double sampleRate, PrivacyBudget budget) {
        return maxSteps(type, new ComposedEvent(List.of()), noiseMultiplier, sampleRate, budget);
    }

    /**
     * As {@link #maxSteps(AccountantType, DpEvent, double, double, PrivacyBudget)}, with the
     * history and settings of {@code accountant}, which is not modified. This is the per-step
     * budget guard: with an {@link RdpAccountant} each evaluation costs O(orders), and the answer
     * agrees exactly with composing the steps into {@code accountant} one by one.
     *
     * @param noiseMultiplier finite and {@code >= 0}
     * @param sampleRate      in (0, 1]
     */
    public static long maxSteps(PrivacyAccountant accountant, double noiseMultiplier, double sampleRate,
                                PrivacyBudget budget) {
        Checks.notNull("accountant", accountant);
        Checks.finiteNonNegative("noiseMultiplier", noiseMultiplier);
        Checks.sampleRate("sampleRate", sampleRate);
        Checks.notNull("budget", budget);
        double delta = budget.delta();
        LongToDoubleFunction epsilonAfter;
        if (accountant instanceof RdpAccountant rdp) {
            epsilonAfter = k -> rdp.epsilonAfter(DpEvent.dpSgd(noiseMultiplier, sampleRate, k), delta);
        } else {
            epsilonAfter = k -> accountant.copy().compose(DpEvent.dpSgd(noiseMultiplier, sampleRate, k)).epsilon(delta);
        }
        double spent = epsilonAfter.applyAsDouble(0);
        if (!(spent <= budget.epsilon())) {
            throw new PrivacyBudgetExceededException(budget, spent, "the history alone already spends epsilon "
                    + spent + " at delta " + delta + ", above the budget " + budget + ": no step fits");
        }
        long guess = 1;
        if (accountant.type() != AccountantType.RDP) {
            try {
                guess = Math.max(1, maxSteps(RdpAccountant.create().compose(accountant.history()),
                        noiseMultiplier, sampleRate, budget));
            } catch (RuntimeException rdpCannot) {
                guess = 1; // the RDP accountant cannot start the search: start from one step
            }
        }
        return largestFitting(epsilonAfter, budget.epsilon(), spent, guess);
    }

    // ---- noise multiplier search ----

    /**
     * A first guess from the moments-accountant asymptotics,
     * {@code sigma ~ q sqrt(2 T log(1/delta)) / epsilon} (Abadi et al. 2016, Thm. 1), floored
     * at 0.5 where subsampling stops helping.
     */
    private static double roughGuess(PrivacyBudget target, double q, long steps) {
        double guess = q * Math.sqrt(2 * (double) steps * Math.log(1 / target.delta())) / target.epsilon();
        return Math.min(MAX_NOISE_MULTIPLIER, Math.max(0.5, guess));
    }

    private static double calibrate(DoubleUnaryOperator epsilonAt, PrivacyBudget target,
                                    double q, long steps, double guess, double firstStep) {
        double goal = target.epsilon();
        // Bracket: lo does not meet the target, hi does.
        double sigma = guess;
        double epsilon = evaluate(epsilonAt, sigma);
        double lo;
        double epsLo;
        double hi;
        double epsHi;
        double step = firstStep;
        if (epsilon <= goal) {
            hi = sigma;
            epsHi = epsilon;
            while (true) {
                double next = Math.max(MIN_NOISE_MULTIPLIER, hi * Math.exp(-step));
                double e = evaluate(epsilonAt, next);
                if (e > goal) {
                    lo = next;
                    epsLo = e;
                    break;
                }
                hi = next;
                epsHi = e;
                if (next == MIN_NOISE_MULTIPLIER) {
                    throw new IllegalArgumentException("every noise multiplier down to " + MIN_NOISE_MULTIPLIER
                            + " meets the target " + target + " for sampleRate " + q + " and " + steps
                            + " steps: the target is too loose to calibrate");
                }
                step *= 2;
            }
        } else {
            lo = sigma;
            epsLo = epsilon;
            while (true) {
                double next = Math.min(MAX_NOISE_MULTIPLIER, lo * Math.exp(step));
                double e = evaluate(epsilonAt, next);
                if (e <= goal) {
                    hi = next;
                    epsHi = e;
                    break;
                }
                lo = next;
                epsLo = e;
                if (next == MAX_NOISE_MULTIPLIER) {
                    throw new IllegalArgumentException("no noise multiplier up to " + MAX_NOISE_MULTIPLIER
                            + " meets the target " + target + " for sampleRate " + q + " and " + steps
                            + " steps (epsilon there is " + e + "): the target is too strict");
                }
                step *= 2;
            }
        }

        // Refine in u = log(sigma) on h(u) = log(epsilon / goal): h(lo) > 0 >= h(hi).
        double tolerance = Math.log1p(RELATIVE_TOLERANCE);
        double uLo = Math.log(lo);
        double uHi = Math.log(hi);
        double hLo = Math.log(epsLo / goal);
        double hHi = Math.log(epsHi / goal);
        int lastSide = 0; // -1: lo moved last, +1: hi moved last
        int sameSide = 0;
        while (hi > lo * (1 + RELATIVE_TOLERANCE)) {
            double u;
            if (Double.isFinite(hLo) && Double.isFinite(hHi) && sameSide < 3) {
                // Illinois: when one end moved twice in a row, halve the stale end's value.
                double wLo = sameSide == 2 && lastSide == 1 ? 0.5 * hLo : hLo;
                double wHi = sameSide == 2 && lastSide == -1 ? 0.5 * hHi : hHi;
                u = uHi - wHi * (uHi - uLo) / (wHi - wLo);
            } else {
                u = 0.5 * (uLo + uHi);
            }
            // Stay half a tolerance inside the bracket: a probe that lands just past the root closes it.
            u = Math.max(uLo + 0.5 * tolerance, Math.min(uHi - 0.5 * tolerance, u));
            double s = Math.exp(u);
            if (!(s > lo && s < hi)) {
                break; // the bracket is down to adjacent doubles
            }
            double e = evaluate(epsilonAt, s);
            int side;
            if (e <= goal) {
                hi = s;
                uHi = u;
                hHi = Math.log(e / goal);
                side = 1;
            } else {
                lo = s;
                uLo = u;
                hLo = Math.log(e / goal);
                side = -1;
            }
            sameSide = side == lastSide ? sameSide + 1 : 1;
            lastSide = side;
        }
        return hi;
    }

    private static double evaluate(DoubleUnaryOperator epsilonAt, double sigma) {
        double epsilon = epsilonAt.applyAsDouble(sigma);
        if (Double.isNaN(epsilon)) {
            throw new IllegalStateException("the accountant returned epsilon NaN at noise multiplier " + sigma);
        }
        return epsilon;
    }

    // ---- step count search ----

    /**
     * The largest k with {@code epsilonAfter(k) <= goal}, given {@code epsilonAfter(0) <= goal}
     * and epsilonAfter non-decreasing: gallop from {@code guess}, then false position (Illinois)
     * with bisection on the integers.
     */
    static long largestFitting(LongToDoubleFunction epsilonAfter, double goal, double epsilonAtZero, long guess) {
        long lo = 0;
        double fLo = epsilonAtZero;
        long hi;
        double fHi;
        double f = epsilonAfter.applyAsDouble(guess);
        long step = Math.max(1, guess / 8);
        if (f <= goal) {
            lo = guess;
            fLo = f;
            while (true) {
                if (lo == Long.MAX_VALUE) {
                    return Long.MAX_VALUE;
                }
                long next = lo > Long.MAX_VALUE - step ? Long.MAX_VALUE : lo + step;
                double e = epsilonAfter.applyAsDouble(next);
                if (e > goal) {
                    hi = next;
                    fHi = e;
                    break;
                }
                lo = next;
                fLo = e;
                step = step > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : 2 * step;
            }
        } else {
            hi = guess;
            fHi = f;
            while (true) {
                long next = hi - step;
                if (next <= lo) {
                    break; // lo = 0 fits
                }
                double e = epsilonAfter.applyAsDouble(next);
                if (e <= goal) {
                    lo = next;
                    fLo = e;
                    break;
                }
                hi = next;
                fHi = e;
                step = step > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : 2 * step;
            }
        }
        int lastSide = 0;
        int sameSide = 0;
        while (hi - lo > 1) {
            long span = hi - lo;
            long c;
            if (Double.isFinite(fHi) && fHi > fLo && sameSide < 3) {
                double wLo = fLo;
                double wHi = fHi;
                // Illinois: when one end has moved twice in a row, halve the stale end's distance to the goal.
                if (sameSide >= 2 && lastSide == 1) {
                    wLo = goal - 0.5 * (goal - fLo);
                } else if (sameSide >= 2 && lastSide == -1) {
                    wHi = goal + 0.5 * (fHi - goal);
                }
                double t = (goal - wLo) / (wHi - wLo);
                c = lo + (long) Math.floor(t * span);
            } else {
                c = lo + span / 2;
            }
            c = Math.max(lo + 1, Math.min(hi - 1, c));
            double e = epsilonAfter.applyAsDouble(c);
            int side;
            if (e <= goal) {
                lo = c;
                fLo = e;
                side = -1;
            } else {
                hi = c;
                fHi = e;
                side = 1;
            }
            sameSide = side == lastSide ? sameSide + 1 : 1;
            lastSide = side;
        }
        return lo;
    }
}
