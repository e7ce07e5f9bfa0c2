package io.github.dpsgd4j.accounting.pld;

import org.apache.commons.math3.special.Erf;

/**
 * The exact (epsilon, delta) curve of the Gaussian mechanism with L2 sensitivity 1 and noise
 * standard deviation {@code s} (Balle and Wang 2018, "Improving the Gaussian mechanism for
 * differential privacy", ICML, Theorem 8):
 * {@code delta(eps) = Phi(1/(2s) - eps s) - e^eps Phi(-1/(2s) - eps s)}. Written independently of
 * the code under test (Commons Math erfc only), as the reference for one-sided checks.
 */
final class AnalyticGaussian {

    private AnalyticGaussian() {
    }

    static double phi(double x) {
        return 0.5 * Erf.erfc(-x / Math.sqrt(2));
    }

    /** delta(eps) of the Gaussian with noise multiplier {@code s}. */
    static double delta(double s, double eps) {
        return phi(1 / (2 * s) - eps * s) - Math.exp(eps) * phi(-1 / (2 * s) - eps * s);
    }

    /**
     * A lower bound on the exact epsilon for {@code delta}, tight to about 1e-13 relative: the lower
     * end of a bisection bracket on which delta(eps) stays {@code >= delta}. Since delta(eps)
     * decreases, the true epsilon is at or above it.
     */
    static double epsilonLowerBound(double s, double delta) {
        if (delta(s, 0) <= delta) {
            return 0;
        }
        double lo = 0;
        double hi = 1;
        while (delta(s, hi) > delta) {
            lo = hi;
            hi *= 2;
        }
        for (int i = 0; i < 200 && hi - lo > 1e-15 * hi; i++) {
            double mid = 0.5 * (lo + hi);
            if (delta(s, mid) > delta) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
