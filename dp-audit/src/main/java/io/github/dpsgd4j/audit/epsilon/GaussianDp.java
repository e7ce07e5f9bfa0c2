package io.github.dpsgd4j.audit.epsilon;

import io.github.dpsgd4j.audit.stats.Normal;
import io.github.dpsgd4j.common.Checks;

/**
 * Gaussian differential privacy (Dong, Roth and Su 2022, "Gaussian differential privacy", JRSS B,
 * Corollary 2.13): mu-GDP implies (epsilon, delta(epsilon))-DP for every epsilon with
 * delta(epsilon) = Phi(-epsilon/mu + mu/2) - e<sup>epsilon</sup> Phi(-epsilon/mu - mu/2).
 * Thread-safe.
 */
public final class GaussianDp {

    private GaussianDp() {
    }

    /** delta(epsilon) of mu-GDP; mu finite and > 0, epsilon finite and >= 0. */
    public static double delta(double mu, double epsilon) {
        Checks.finitePositive("mu", mu);
        Checks.finiteNonNegative("epsilon", epsilon);
        double a = Normal.cdf(-epsilon / mu + mu / 2);
        double b = Normal.cdf(-epsilon / mu - mu / 2);
        return Math.max(0, a - Math.exp(epsilon) * b);
    }

    /**
     * The smallest epsilon with delta(epsilon) &lt;= delta for mu-GDP (bisection to 1e-9
     * relative); 0 for mu = 0.
     *
     * @param mu    finite and >= 0
     * @param delta in (0, 1)
     */
    public static double epsilon(double mu, double delta) {
        Checks.finiteNonNegative("mu", mu);
        Checks.openUnitInterval("delta", delta);
        if (mu == 0 || delta(mu, 0) <= delta) {
            return 0;
        }
        double lo = 0;
        double hi = 1;
        while (delta(mu, hi) > delta) {
            lo = hi;
            hi *= 2;
            if (hi > 1e6) {
                return Double.POSITIVE_INFINITY;
            }
        }
        for (int i = 0; i < 200 && hi - lo > 1e-9 * hi; i++) {
            double mid = (lo + hi) / 2;
            if (delta(mu, mid) > delta) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return hi;
    }
}
