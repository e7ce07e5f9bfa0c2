package io.github.dpsgd4j.audit.stats;

import io.github.dpsgd4j.accounting.DpEvent;
import io.github.dpsgd4j.accounting.pld.PldAccountant;
import io.github.dpsgd4j.common.Checks;

import java.util.Arrays;

/**
 * The largest true-positive rate any membership attack can reach at each false-positive rate
 * against a mechanism, from its privacy profile delta(epsilon): the accountant's ROC bound.
 *
 * <p>A mechanism that is (epsilon, delta(epsilon))-DP for every epsilon &gt;= 0 is f-DP with f the
 * upper envelope of the trade-off functions f<sub>epsilon,delta</sub>(alpha) = max(0, 1 - delta -
 * e<sup>epsilon</sup> alpha, e<sup>-epsilon</sup>(1 - delta - alpha)) (Dong, Roth and Su 2022,
 * "Gaussian differential privacy", JRSS B, Proposition 2.12; Kairouz, Oh and Viswanath 2015 for
 * one pair). So at false-positive rate alpha no test reaches more than
 * <pre>TPR(alpha) = 1 - f(alpha) = min over epsilon of min(1, e<sup>epsilon</sup> alpha + delta(epsilon),
 *             1 - e<sup>-epsilon</sup>(1 - delta(epsilon) - alpha))</pre>
 * This is the same query as dp_accounting's {@code get_true_positive_rates} (2026). The
 * privacy profile comes from dpsgd4j's PLD accountant, which answers the larger delta of the
 * add and the remove direction and never below the true one, and the minimum is taken over a
 * finite grid of epsilon: both make the bound higher than the exact one, never lower (they err
 * toward reporting more possible leakage). For a pure (epsilon, delta) claim without a privacy
 * profile, {@link #ofGuarantee} gives the single-pair bound of {@link PrivacyCaps}.
 *
 * <p>Immutable and thread-safe.
 */
public final class RocBound {

    /** Epsilon grid points of the envelope. */
    static final int EPSILON_POINTS = 200;
    /** PLD loss grid spacing: coarser than the accountant's default (faster; every delta stays an upper bound). */
    static final double DISCRETIZATION = 1e-3;
    /** Points of the stored curve, log-spaced in FPR from {@link #MIN_FPR} to 1. */
    static final int CURVE_POINTS = 161;
    /** The smallest FPR of the stored curve. */
    public static final double MIN_FPR = 1e-5;

    private final double[] epsilons;
    private final double[] deltas;
    private final double[] curveFpr;
    private final double[] curveTpr;
    private final String source;

    private RocBound(double[] epsilons, double[] deltas, String source) {
        this.epsilons = epsilons;
        this.deltas = deltas;
        this.source = source;
        this.curveFpr = new double[CURVE_POINTS];
        this.curveTpr = new double[CURVE_POINTS];
        for (int i = 0; i < CURVE_POINTS; i++) {
            double fpr = Math.pow(10, Math.log10(MIN_FPR) * (1 - (double) i / (CURVE_POINTS - 1)));
            curveFpr[i] = fpr;
            curveTpr[i] = tprAt(fpr);
        }
    }

    /**
     * The bound of DP-SGD with Poisson sampling, from the PLD of its steps.
     *
     * @param noiseMultiplier sigma, finite and > 0
     * @param sampleRate      q in (0, 1]
     * @param steps           T >= 1
     */
    public static RocBound ofDpSgd(double noiseMultiplier, double sampleRate, long steps) {
        Checks.finitePositive("noiseMultiplier", noiseMultiplier);
        Checks.sampleRate("sampleRate", sampleRate);
        Checks.positive("steps", steps);
        return ofEvent(DpEvent.dpSgd(noiseMultiplier, sampleRate, steps),
                "PLD of " + steps + " DP-SGD steps, sigma " + noiseMultiplier + ", q " + sampleRate);
    }

    /**
     * The bound of any event the PLD accountant supports.
     *
     * @param event  the composed mechanism
     * @param source one line saying where the bound comes from (for reports)
     */
    public static RocBound ofEvent(DpEvent event, String source) {
        Checks.notNull("event", event);
        Checks.notNull("source", source);
        PldAccountant accountant = PldAccountant.withDiscretization(DISCRETIZATION);
        accountant.compose(event);
        // The grid reaches the epsilon at which delta(epsilon) is negligible at every FPR of the curve.
        double top;
        try {
            top = accountant.epsilon(1e-10);
        } catch (IllegalArgumentException ex) {
            top = accountant.epsilon(1e-8);
        }
        top = Math.max(top * 1.05, 1e-3);
        double[] eps = new double[EPSILON_POINTS];
        double[] del = new double[EPSILON_POINTS];
        for (int i = 0; i < EPSILON_POINTS; i++) {
            // Denser near 0, where the bound at large FPR is decided.
            double u = (double) i / (EPSILON_POINTS - 1);
            eps[i] = top * u * u;
            del[i] = accountant.delta(eps[i]);
        }
        return new RocBound(eps, del, source);
    }

    /**
     * The single-pair bound of an (epsilon, delta) guarantee without a privacy profile (weaker than a
     * PLD bound of the same epsilon at the same delta).
     */
    public static RocBound ofGuarantee(double epsilon, double delta) {
        Checks.finiteNonNegative("epsilon", epsilon);
        if (!(delta >= 0 && delta < 1)) {
            throw new IllegalArgumentException("delta must be in [0, 1), got " + delta);
        }
        return new RocBound(new double[] {epsilon}, new double[] {delta},
                "(epsilon, delta) = (" + epsilon + ", " + delta + ") only");
    }

    /**
     * The largest TPR any attack reaches at false-positive rate {@code fpr}.
     *
     * @param fpr in [0, 1]
     * @return in [fpr, 1]
     */
    public double tprAt(double fpr) {
        if (!(fpr >= 0 && fpr <= 1)) {
            throw new IllegalArgumentException("fpr must be in [0, 1], got " + fpr);
        }
        double best = 1;
        for (int i = 0; i < epsilons.length; i++) {
            double e = epsilons[i];
            double d = deltas[i];
            double tpr = Math.min(Math.exp(e) * fpr + d, 1 - Math.exp(-e) * (1 - d - fpr));
            best = Math.min(best, tpr);
        }
        return Math.max(fpr, Math.min(1, best));
    }

    /** FPRs of the stored curve (log-spaced from {@link #MIN_FPR} to 1, ascending); a copy. */
    public double[] curveFalsePositiveRates() {
        return curveFpr.clone();
    }

    /** The bound at each of {@link #curveFalsePositiveRates()}; a copy. */
    public double[] curveTruePositiveRates() {
        return curveTpr.clone();
    }

    /** Where the bound comes from. */
    public String source() {
        return source;
    }

    @Override
    public String toString() {
        return "RocBound[" + source + ", TPR at 0.1%/1%/10% FPR " + Arrays.toString(new double[] {tprAt(0.001),
                tprAt(0.01), tprAt(0.1)}) + "]";
    }
}
