package io.github.dpsgd4j.audit.stats;

import org.apache.commons.math3.distribution.NormalDistribution;

/** Standard normal helpers (Commons Math, accurate to about 1e-15 in the body). Thread-safe. */
public final class Normal {

    private static final NormalDistribution STANDARD = new NormalDistribution(null, 0, 1);

    private Normal() {
    }

    /** Phi(x), the standard normal distribution function. */
    public static double cdf(double x) {
        return STANDARD.cumulativeProbability(x);
    }

    /** Phi<sup>-1</sup>(p) for p in [0, 1]. */
    public static double quantile(double p) {
        return STANDARD.inverseCumulativeProbability(p);
    }

    /** log of the N(mean, sd<sup>2</sup>) density at x. */
    public static double logDensity(double x, double mean, double sd) {
        double z = (x - mean) / sd;
        return -0.5 * z * z - Math.log(sd) - 0.5 * Math.log(2 * Math.PI);
    }
}
