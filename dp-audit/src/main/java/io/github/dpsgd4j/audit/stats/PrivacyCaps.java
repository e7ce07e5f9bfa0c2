package io.github.dpsgd4j.audit.stats;

import io.github.dpsgd4j.common.Checks;

/**
 * What any membership attack can achieve against an (epsilon, delta)-DP training algorithm: for
 * every test, FPR + e<sup>epsilon</sup> FNR >= 1 - delta and FNR + e<sup>epsilon</sup> FPR >= 1 -
 * delta (Kairouz, Oh and Viswanath 2015, "The composition theorem for differential privacy", ICML;
 * the hypothesis-testing view of Wasserman and Zhou 2010). Every empirical number in a report
 * should be read beside these caps: a measured value above a cap means a bug (or too few samples),
 * a value far below it is the usual case, because the guarantee is worst-case.
 *
 * @param epsilon {@code >= 0}; +infinity (no guarantee) makes every cap trivial
 * @param delta   in [0, 1]
 */
public record PrivacyCaps(double epsilon, double delta) {

    public PrivacyCaps {
        Checks.nonNegative("epsilon", epsilon);
        Checks.probability("delta", delta);
    }

    /** Caps of a model trained without differential privacy: all trivial. */
    public static PrivacyCaps none() {
        return new PrivacyCaps(Double.POSITIVE_INFINITY, 0);
    }

    /** Whether the caps are all trivial (epsilon infinite). */
    public boolean trivial() {
        return epsilon == Double.POSITIVE_INFINITY;
    }

    /**
     * The largest membership advantage TPR - FPR: (e<sup>epsilon</sup> - 1 + 2 delta) /
     * (e<sup>epsilon</sup> + 1), capped at 1 (from adding the two inequalities at the symmetric
     * point of the trade-off curve).
     */
    public double maxAdvantage() {
        if (epsilon > 700) {
            return 1;
        }
        double e = Math.exp(epsilon);
        return Math.min(1, (e - 1 + 2 * delta) / (e + 1));
    }

    /**
     * The largest AUC under pure epsilon-DP, e<sup>epsilon</sup> / (1 + e<sup>epsilon</sup>): the
     * area under the optimal trade-off curve with delta = 0. With delta > 0 the true cap is
     * slightly larger; it is reported at delta = 0 as in the reference table.
     */
    public double maxAuc() {
        if (epsilon > 700) {
            return 1;
        }
        double e = Math.exp(epsilon);
        return e / (1 + e);
    }

    /**
     * The largest TPR at FPR {@code fpr}: min(1, e<sup>epsilon</sup> fpr + delta, 1 -
     * e<sup>-epsilon</sup> (1 - delta - fpr)).
     *
     * @param fpr in [0, 1]
     */
    public double maxTprAtFpr(double fpr) {
        Checks.probability("fpr", fpr);
        if (epsilon > 700) {
            return 1;
        }
        double e = Math.exp(epsilon);
        return Math.max(0, Math.min(1, Math.min(e * fpr + delta, 1 - (1 - delta - fpr) / e)));
    }

    /** The bound of Yeom et al. (2018) for pure epsilon-DP, e<sup>epsilon</sup> - 1 (vacuous above ln 2). */
    public double yeomAdvantageBound() {
        return Math.expm1(epsilon);
    }
}
