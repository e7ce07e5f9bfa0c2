package io.github.dpsgd4j.accounting.internal;

import org.apache.commons.math3.special.Erf;
import org.apache.commons.math3.special.Gamma;

/**
 * Numerical building blocks shared by the accountants: log-space sums, the log of the normal CDF
 * and of erfc deep into the tails, the inverse normal CDF near 0, and log|Gamma| for negative
 * arguments. Not part of the public API.
 *
 * <p>All functions are pure and thread-safe.
 */
public final class Numerics {

    /** log(2 pi) / 2. */
    private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);
    private static final double LOG_PI = Math.log(Math.PI);
    private static final double SQRT2 = Math.sqrt(2);
    /** Beyond this argument erfc(x) underflows a double (erfc(26.5) is about 1e-307). */
    private static final double ERFC_ASYMPTOTIC_FROM = 26.0;

    private Numerics() {
    }

    /** log(exp(a) + exp(b)) without overflow; -infinity is the identity. */
    public static double logAddExp(double a, double b) {
        if (a == Double.NEGATIVE_INFINITY) {
            return b;
        }
        if (b == Double.NEGATIVE_INFINITY) {
            return a;
        }
        double max = Math.max(a, b);
        return max + Math.log1p(Math.exp(Math.min(a, b) - max));
    }

    /**
     * log(exp(a) - exp(b)) for {@code a >= b}; -infinity when {@code a == b}.
     *
     * @throws ArithmeticException if {@code a < b} (the difference would be negative)
     */
    public static double logSubExp(double a, double b) {
        if (a < b) {
            throw new ArithmeticException("logSubExp needs a >= b, got a = " + a + ", b = " + b);
        }
        if (b == Double.NEGATIVE_INFINITY) {
            return a;
        }
        if (a == b) {
            return Double.NEGATIVE_INFINITY;
        }
        return a + Math.log(-Math.expm1(b - a));
    }

    /**
     * log(erfc(x)) for every real x, accurate to about 1e-14 relative: erfc itself while it is a
     * normal double, then the asymptotic series
     * {@code -x^2 - log(x sqrt(pi)) + log(1 - 1/(2x^2) + 3/(4x^4) - 15/(8x^6) + 105/(16x^8))}.
     */
    public static double logErfc(double x) {
        if (Double.isNaN(x)) {
            return Double.NaN;
        }
        if (x < ERFC_ASYMPTOTIC_FROM) {
            return Math.log(Erf.erfc(x));
        }
        double inv2 = 1 / (x * x);
        double series = 1 + inv2 * (-0.5 + inv2 * (0.75 + inv2 * (-1.875 + inv2 * 6.5625)));
        return -x * x - Math.log(x) - 0.5 * LOG_PI + Math.log(series);
    }

    /** log(Phi(x)), Phi the standard normal CDF, accurate deep into the lower tail. */
    public static double logNormalCdf(double x) {
        if (x > 0) {
            // Phi(x) = 1 - Phi(-x): log1p keeps accuracy where Phi(x) is close to 1.
            return Math.log1p(-0.5 * Erf.erfc(x / SQRT2));
        }
        return Math.log(0.5) + logErfc(-x / SQRT2);
    }

    /** Phi(x), the standard normal CDF, with full relative accuracy in the lower tail. */
    public static double normalCdf(double x) {
        return 0.5 * Erf.erfc(-x / SQRT2);
    }

    /** log(phi(x)), phi the standard normal density. */
    public static double logNormalPdf(double x) {
        return -0.5 * x * x - HALF_LOG_TWO_PI;
    }

    /**
     * The standard normal quantile Phi^-1(p), accurate to a few ulps also for tiny p (where
     * Commons Math returns -infinity below about 1e-300 and loses digits near 1e-10).
     *
     * <p>Starts from the Commons Math value (or an asymptotic guess in the far tail) and refines
     * by Newton's method on {@code log Phi(x) - log p}, which converges quadratically.
     *
     * @param p in (0, 1)
     */
    public static double normalQuantile(double p) {
        if (!(p > 0 && p < 1)) {
            throw new IllegalArgumentException("p must be in (0, 1), got " + p);
        }
        if (p > 0.5) {
            return -normalQuantile(1 - p);
        }
        return normalQuantileFromLog(Math.log(p));
    }

    /**
     * Phi^-1(exp(logP)) for {@code logP <= log(1/2)}, for probabilities too small to hold in a
     * double (for example {@code logP = log(1/2) - 50}).
     */
    public static double normalQuantileFromLog(double logP) {
        if (!(logP <= Math.log(0.5))) {
            throw new IllegalArgumentException("logP must be <= log(1/2), got " + logP);
        }
        double x;
        if (logP > -30) {
            x = Erf.erfcInv(2 * Math.exp(logP)) * -SQRT2;
        } else {
            // Phi(x) ~ phi(x)/|x|: x ~ -sqrt(-2 logP - log(-2 logP) - log(2 pi)).
            double t = -2 * logP;
            x = -Math.sqrt(t - Math.log(t) - 2 * HALF_LOG_TWO_PI);
        }
        for (int i = 0; i < 50; i++) {
            double logCdf = logNormalCdf(x);
            // d/dx log Phi(x) = phi(x) / Phi(x)
            double slope = Math.exp(logNormalPdf(x) - logCdf);
            double step = (logCdf - logP) / slope;
            x -= step;
            if (Math.abs(step) <= 1e-15 * Math.max(1, Math.abs(x))) {
                break;
            }
        }
        return x;
    }

    /**
     * log|Gamma(x)| for every real x that is not a pole (0, -1, -2, ...), using the reflection
     * formula {@code log|Gamma(x)| = log(pi) - log|sin(pi x)| - log Gamma(1 - x)} for x < 0.5.
     * Commons Math's {@code Gamma.logGamma} alone is NaN for x <= 0.
     *
     * @return +infinity at the poles
     */
    public static double logAbsGamma(double x) {
        if (x >= 0.5) {
            return Gamma.logGamma(x);
        }
        if (x == Math.rint(x)) {
            return Double.POSITIVE_INFINITY;
        }
        return LOG_PI - Math.log(Math.abs(Math.sin(Math.PI * x))) - Gamma.logGamma(1 - x);
    }

    /**
     * log|C(alpha, i)| = log|Gamma(alpha + 1)| - log Gamma(i + 1) - log|Gamma(alpha - i + 1)| for
     * real {@code alpha > 0} and integer {@code i >= 0}; -infinity where the coefficient is 0
     * (integer alpha and i > alpha).
     */
    public static double logAbsBinomial(double alpha, long i) {
        double rest = alpha - i + 1;
        if (rest <= 0 && rest == Math.rint(rest)) {
            return Double.NEGATIVE_INFINITY;
        }
        return logAbsGamma(alpha + 1) - Gamma.logGamma(i + 1.0) - logAbsGamma(rest);
    }
}
