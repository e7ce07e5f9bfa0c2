package io.github.dpsgd4j.audit.stats;

import io.github.dpsgd4j.common.Checks;
import org.apache.commons.math3.distribution.BetaDistribution;

/**
 * Confidence intervals for binomial proportions. Thread-safe.
 *
 * <ul>
 *   <li>Clopper&ndash;Pearson (1934, "The use of confidence or fiducial limits illustrated in the
 *       case of the binomial", Biometrika 26): exact, two-sided level 1 - alpha, from Beta
 *       quantiles; used for empirical epsilon lower bounds, where an interval must never be too
 *       narrow.</li>
 *   <li>Wilson score (1927) and Newcombe's hybrid score interval for a difference of two
 *       independent proportions (Newcombe 1998, "Interval estimation for the difference between
 *       independent proportions", Statistics in Medicine 17, method 10).</li>
 * </ul>
 */
public final class BinomialIntervals {

    private BinomialIntervals() {
    }

    /**
     * Upper Clopper&ndash;Pearson limit: 1 if k = n, else the 1 - alpha/2 quantile of
     * Beta(k + 1, n - k).
     *
     * @param k     successes, 0 <= k <= n
     * @param n     trials, > 0
     * @param alpha in (0, 1): the two-sided interval has level 1 - alpha
     */
    public static double clopperPearsonUpper(long k, long n, double alpha) {
        checkCounts(k, n);
        Checks.openUnitInterval("alpha", alpha);
        if (k == n) {
            return 1;
        }
        return new BetaDistribution(null, k + 1, n - k).inverseCumulativeProbability(1 - alpha / 2);
    }

    /**
     * Lower Clopper&ndash;Pearson limit: 0 if k = 0, else the alpha/2 quantile of Beta(k, n - k + 1).
     *
     * @param k     successes, 0 <= k <= n
     * @param n     trials, > 0
     * @param alpha in (0, 1)
     */
    public static double clopperPearsonLower(long k, long n, double alpha) {
        checkCounts(k, n);
        Checks.openUnitInterval("alpha", alpha);
        if (k == 0) {
            return 0;
        }
        return new BetaDistribution(null, k, n - k + 1).inverseCumulativeProbability(alpha / 2);
    }

    /** The Wilson score interval {lower, upper} for k of n at two-sided level 1 - alpha. */
    public static double[] wilson(long k, long n, double alpha) {
        checkCounts(k, n);
        double z = Normal.quantile(1 - Checks.openUnitInterval("alpha", alpha) / 2);
        double p = (double) k / n;
        double denominator = 1 + z * z / n;
        double centre = (p + z * z / (2.0 * n)) / denominator;
        double half = z * Math.sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / denominator;
        return new double[] {Math.max(0, centre - half), Math.min(1, centre + half)};
    }

    /**
     * Newcombe's hybrid score interval {lower, upper} for p1 - p2 = k1/n1 - k2/n2 at two-sided
     * level 1 - alpha.
     */
    public static double[] newcombeDifference(long k1, long n1, long k2, long n2, double alpha) {
        double[] w1 = wilson(k1, n1, alpha);
        double[] w2 = wilson(k2, n2, alpha);
        double p1 = (double) k1 / n1;
        double p2 = (double) k2 / n2;
        double d = p1 - p2;
        double lower = d - Math.sqrt((p1 - w1[0]) * (p1 - w1[0]) + (w2[1] - p2) * (w2[1] - p2));
        double upper = d + Math.sqrt((w1[1] - p1) * (w1[1] - p1) + (p2 - w2[0]) * (p2 - w2[0]));
        return new double[] {Math.max(-1, lower), Math.min(1, upper)};
    }

    private static void checkCounts(long k, long n) {
        Checks.positive("n", n);
        if (k < 0 || k > n) {
            throw new IllegalArgumentException("k must be in [0, n = " + n + "], got " + k);
        }
    }
}
