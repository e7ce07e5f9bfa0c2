package io.github.dpsgd4j.audit.epsilon;

import io.github.dpsgd4j.audit.stats.BinomialIntervals;
import io.github.dpsgd4j.common.Checks;

/**
 * An empirical epsilon lower bound from the errors of a test between neighbouring datasets D
 * (canary out) and D' (canary in). Any (epsilon, delta)-DP mechanism satisfies FPR +
 * e<sup>epsilon</sup> FNR &gt;= 1 - delta and FNR + e<sup>epsilon</sup> FPR &gt;= 1 - delta
 * (Kairouz, Oh and Viswanath 2015), so with Clopper&ndash;Pearson upper limits FPR<sub>hi</sub>,
 * FNR<sub>hi</sub> at two-sided level 1 - alpha,
 * <pre>epsilon_lb = max(0, ln((1 - delta - FPR_hi) / FNR_hi), ln((1 - delta - FNR_hi) / FPR_hi))</pre>
 * holds with confidence about 1 - alpha (Jagielski, Ullman and Oprea 2020, NeurIPS). With 100
 * perfect runs per world the bound cannot exceed 3.28 (alpha = 0.05, delta = 1e-5): a perfect
 * attack on few runs proves little.
 *
 * @param epsilon        the bound, {@code >= 0}
 * @param fprUpper       FPR<sub>hi</sub>
 * @param fnrUpper       FNR<sub>hi</sub>
 * @param falsePositives runs without the canary that the test called "in"
 * @param negatives      runs without the canary
 * @param falseNegatives runs with the canary that the test called "out"
 * @param positives      runs with the canary
 * @param delta          the delta of the bound
 * @param alpha          two-sided level of the Clopper&ndash;Pearson limits
 */
public record EpsilonLowerBound(double epsilon, double fprUpper, double fnrUpper, int falsePositives, int negatives,
                                int falseNegatives, int positives, double delta, double alpha) {

    /**
     * The bound from error counts.
     *
     * @param falsePositives in [0, negatives]
     * @param negatives      > 0
     * @param falseNegatives in [0, positives]
     * @param positives      > 0
     * @param delta          in [0, 1)
     * @param alpha          in (0, 1), e.g. 0.05
     */
    public static EpsilonLowerBound fromCounts(int falsePositives, int negatives, int falseNegatives, int positives,
                                               double delta, double alpha) {
        if (!(delta >= 0 && delta < 1)) {
            throw new IllegalArgumentException("delta must be in [0, 1), got " + delta);
        }
        double fprHi = BinomialIntervals.clopperPearsonUpper(falsePositives, negatives, alpha);
        double fnrHi = BinomialIntervals.clopperPearsonUpper(falseNegatives, positives, alpha);
        double eps = Math.max(0, Math.max(logRatio(1 - delta - fprHi, fnrHi), logRatio(1 - delta - fnrHi, fprHi)));
        return new EpsilonLowerBound(eps, fprHi, fnrHi, falsePositives, negatives, falseNegatives, positives, delta,
                alpha);
    }

    private static double logRatio(double numerator, double denominator) {
        return numerator > 0 ? Math.log(numerator / denominator) : Double.NEGATIVE_INFINITY;
    }

    /**
     * The bound of the best threshold test "in iff statistic &gt;= tau", with tau chosen on the
     * selection runs and the bound computed on the evaluation runs only.
     *
     * @param selectionIn   statistics of selection runs with the canary; not modified
     * @param selectionOut  statistics of selection runs without it
     * @param evaluationIn  statistics of evaluation runs with the canary
     * @param evaluationOut statistics of evaluation runs without it
     * @param delta         in [0, 1)
     * @param alpha         in (0, 1)
     * @return {bound, chosen threshold} as a {@link Thresholded}
     */
    public static Thresholded heldOut(double[] selectionIn, double[] selectionOut, double[] evaluationIn,
                                      double[] evaluationOut, double delta, double alpha) {
        Checks.notNull("selectionIn", selectionIn);
        Checks.notNull("selectionOut", selectionOut);
        double bestThreshold = Double.POSITIVE_INFINITY;
        double best = -1;
        double bestAdvantage = Double.NEGATIVE_INFINITY;
        double[] candidates = new double[selectionIn.length + selectionOut.length];
        System.arraycopy(selectionIn, 0, candidates, 0, selectionIn.length);
        System.arraycopy(selectionOut, 0, candidates, selectionIn.length, selectionOut.length);
        for (double tau : candidates) {
            EpsilonLowerBound b = at(tau, selectionIn, selectionOut, delta, alpha);
            // Ties in the bound (common with few runs) go to the larger selection advantage TPR - FPR.
            double advantage = (double) (b.positives() - b.falseNegatives()) / b.positives()
                    - (double) b.falsePositives() / b.negatives();
            if (b.epsilon() > best || (b.epsilon() == best && advantage > bestAdvantage)) {
                best = b.epsilon();
                bestAdvantage = advantage;
                bestThreshold = tau;
            }
        }
        return new Thresholded(at(bestThreshold, evaluationIn, evaluationOut, delta, alpha), bestThreshold);
    }

    /** The bound of the test "in iff statistic &gt;= tau" on the given runs. */
    public static EpsilonLowerBound at(double tau, double[] in, double[] out, double delta, double alpha) {
        Checks.notNull("in", in);
        Checks.notNull("out", out);
        int fn = 0;
        for (double s : in) {
            if (!(s >= tau)) {
                fn++;
            }
        }
        int fp = 0;
        for (double s : out) {
            if (s >= tau) {
                fp++;
            }
        }
        return fromCounts(fp, out.length, fn, in.length, delta, alpha);
    }

    /**
     * A bound with the threshold it was evaluated at.
     *
     * @param bound     the bound on the evaluation runs
     * @param threshold the threshold chosen on the selection runs
     */
    public record Thresholded(EpsilonLowerBound bound, double threshold) {
    }
}
