package io.github.dpsgd4j.accounting.rdp;

import io.github.dpsgd4j.accounting.internal.Numerics;

/**
 * Renyi DP of one step of the Poisson-subsampled Gaussian mechanism with L2 sensitivity 1 under
 * add/remove adjacency, at one order: {@code log(A_alpha) / (alpha - 1)} with
 * {@code A_alpha = E_{z ~ N(0, sigma^2)}[((1 - q) + q exp((2z - 1) / (2 sigma^2)))^alpha]}
 * (Mironov, Talwar, Zhang 2019, "Renyi Differential Privacy of the Sampled Gaussian Mechanism",
 * arXiv:1908.10530, Sec. 3.3). Everything is computed in log space.
 *
 * <p>Special cases, in this order (as dp_accounting's {@code _compute_rdp_poisson_subsampled_gaussian}):
 * q = 0 gives 0 (even when sigma = 0); alpha = +infinity or sigma = 0 gives +infinity; q = 1 gives
 * the Gaussian's {@code alpha / (2 sigma^2)} (Mironov 2017, "Renyi Differential Privacy",
 * arXiv:1702.07476, Prop. 7).
 *
 * <p>Stateless and thread-safe.
 */
final class SubsampledGaussianRdp {

    /** Variant A stops after this many terms and reports +infinity (dp_accounting's {@code _MAX_STEPS_LOG_A_FRAC}). */
    static final int MAX_TERMS_VARIANT_A = 1000;
    /**
     * Variant B has no cap in Opacus; dpsgd4j stops here and reports +infinity (never observed:
     * the series converges in tens of terms for every setting of practical interest).
     */
    static final int MAX_TERMS_VARIANT_B = 10_000;
    /**
     * Below this value of log(A_alpha) the fractional series, whose total is close to 1, cannot
     * resolve log(A_alpha) to better than about 1e-5 relative (its absolute error is a few ulps of
     * 1), so the accurate integer-order value at ceil(alpha) is used instead: Renyi divergence is
     * non-decreasing in the order (van Erven and Harremoes 2014, Thm. 3), so it is an upper bound.
     */
    static final double FRACTIONAL_PRECISION_FLOOR = 1e-11;
    /** Above this x, log(expm1(x)) equals x to double precision. */
    private static final double LOG_EXPM1_IDENTITY_FROM = 40;
    private static final double LOG_HALF = Math.log(0.5);
    private static final double SQRT2 = Math.sqrt(2);

    private SubsampledGaussianRdp() {
    }

    /**
     * The per-step RDP at {@code order}.
     *
     * @param variant the fractional-order series to use: {@link RdpConvention#DP_ACCOUNTING}
     *                (variant A, an upper bound) or {@link RdpConvention#OPACUS} (variant B, exact)
     * @param q       sampling rate in [0, 1] (validated by the caller)
     * @param sigma   noise multiplier, finite and >= 0 (validated by the caller)
     * @return the RDP, >= 0, possibly +infinity; never NaN
     */
    static double rdp(RdpConvention variant, double q, double sigma, RdpOrder order) {
        double alpha = order.alpha;
        if (q == 0) {
            return 0;
        }
        if (alpha == Double.POSITIVE_INFINITY || sigma == 0) {
            return Double.POSITIVE_INFINITY;
        }
        if (q == 1) {
            return alpha / (2 * sigma * sigma);
        }
        if (alpha == 1) {
            // log(A_1) / 0: the KL divergence is the limit; +infinity is a safe upper bound, and
            // order 1 is never used for epsilon anyway (the alpha > 1.01 guard).
            return Double.POSITIVE_INFINITY;
        }
        if (order.integer) {
            return logAInteger(q, sigma, order) / (alpha - 1);
        }
        double logA = variant == RdpConvention.OPACUS
                ? logAFractionalExact(q, sigma, order)
                : logAFractionalUpperBound(q, sigma, order);
        if (Double.isNaN(logA)) {
            return Double.POSITIVE_INFINITY;
        }
        if (logA < FRACTIONAL_PRECISION_FLOOR) {
            return logAInteger(q, sigma, new RdpOrder(Math.ceil(alpha))) / (Math.ceil(alpha) - 1);
        }
        return logA / (alpha - 1);
    }

    /**
     * log(A_alpha) for integer alpha >= 2 (at most {@link RdpConvention#MAX_ORDER}) and 0 < q < 1. With the binomial theorem,
     * {@code A_alpha = 1 + B}, {@code B = sum_{i>=2} C(alpha,i) (1-q)^(alpha-i) q^i expm1((i^2-i)/(2 sigma^2))},
     * all terms positive; returning {@code log1p(B)} keeps full relative accuracy also when
     * log(A_alpha) is tiny (large sigma), where summing the plain terms would round to 0.
     */
    static double logAInteger(double q, double sigma, RdpOrder order) {
        int alpha = (int) order.floor;
        double logQ = Math.log(q);
        double log1mq = Math.log1p(-q);
        double twoSigma2 = 2 * sigma * sigma;
        double max = Double.NEGATIVE_INFINITY;
        double scaledSum = 0;
        for (int i = 2; i <= alpha; i++) {
            double exponent = ((double) i * i - i) / twoSigma2;
            double logTerm = order.logAbsBinomial(i)
                    + i * logQ + (alpha - i) * log1mq + logExpm1(exponent);
            if (logTerm == Double.POSITIVE_INFINITY) {
                return Double.POSITIVE_INFINITY;
            }
            if (logTerm > max) {
                scaledSum = scaledSum * Math.exp(max - logTerm) + 1;
                max = logTerm;
            } else {
                scaledSum += Math.exp(logTerm - max);
            }
        }
        double logB = max + Math.log(scaledSum);
        if (Double.isNaN(logB)) {
            return Double.POSITIVE_INFINITY;
        }
        return Numerics.logAddExp(0, logB);
    }

    /**
     * Variant A (dp_accounting >= 0.5, TF-Privacy today): every term of the two series added in
     * absolute value, an upper bound on A_alpha; stops once both series decrease and their terms
     * are below e^-30 of the total; +infinity after {@value #MAX_TERMS_VARIANT_A} terms.
     */
    static double logAFractionalUpperBound(double q, double sigma, RdpOrder order) {
        Series s = new Series(q, sigma, order.alpha);
        double logA0 = Double.NEGATIVE_INFINITY;
        double logA1 = Double.NEGATIVE_INFINITY;
        double last0 = Double.NEGATIVE_INFINITY;
        double last1 = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < MAX_TERMS_VARIANT_A; i++) {
            double logCoefficient = order.logAbsBinomial(i);
            double s0 = s.logS0(i, logCoefficient);
            double s1 = s.logS1(i, logCoefficient);
            logA0 = Numerics.logAddExp(logA0, s0);
            logA1 = Numerics.logAddExp(logA1, s1);
            double total = Numerics.logAddExp(logA0, logA1);
            if (!(total < Double.POSITIVE_INFINITY)) {
                return Double.POSITIVE_INFINITY; // overflow or NaN (sigma near 0): what the cap would give, sooner
            }
            if (s0 < last0 && s1 < last1 && Math.max(s0, s1) < total - 30) {
                return total;
            }
            last0 = s0;
            last1 = s1;
        }
        return Double.POSITIVE_INFINITY;
    }

    /**
     * Variant B (Opacus, prv_accountant, legacy TF-Privacy): the signed series, exact; stops after
     * the first term below e^-30. A partial sum that would turn negative (a numerical failure;
     * Opacus raises an error) gives +infinity, so the order drops out of the conversion.
     */
    static double logAFractionalExact(double q, double sigma, RdpOrder order) {
        Series s = new Series(q, sigma, order.alpha);
        double logA0 = Double.NEGATIVE_INFINITY;
        double logA1 = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < MAX_TERMS_VARIANT_B; i++) {
            double logCoefficient = order.logAbsBinomial(i);
            double s0 = s.logS0(i, logCoefficient);
            double s1 = s.logS1(i, logCoefficient);
            if (order.binomialPositive(i)) {
                logA0 = Numerics.logAddExp(logA0, s0);
                logA1 = Numerics.logAddExp(logA1, s1);
            } else {
                if (logA0 < s0 || logA1 < s1) {
                    return Double.POSITIVE_INFINITY;
                }
                logA0 = Numerics.logSubExp(logA0, s0);
                logA1 = Numerics.logSubExp(logA1, s1);
            }
            if (!(logA0 < Double.POSITIVE_INFINITY && logA1 < Double.POSITIVE_INFINITY)) {
                return Double.POSITIVE_INFINITY; // overflow or NaN (sigma near 0)
            }
            if (Math.max(s0, s1) < -30) {
                return Numerics.logAddExp(logA0, logA1);
            }
        }
        return Double.POSITIVE_INFINITY;
    }

    /** log(expm1(x)) for x >= 0 (-infinity at 0). */
    private static double logExpm1(double x) {
        return x > LOG_EXPM1_IDENTITY_FROM ? x : Math.log(Math.expm1(x));
    }

    /**
     * The terms of the fractional-order series of arXiv:1908.10530 Sec. 3.3: with
     * {@code z0 = sigma^2 log(1/q - 1) + 1/2} and {@code j = alpha - i},
     * {@code s0(i) = |C(alpha,i)| q^i (1-q)^j exp((i^2-i)/(2 sigma^2)) erfc((i - z0)/(sqrt2 sigma)) / 2} and
     * {@code s1(i) = |C(alpha,i)| q^j (1-q)^i exp((j^2-j)/(2 sigma^2)) erfc((z0 - j)/(sqrt2 sigma)) / 2}.
     */
    private static final class Series {
        private final double alpha;
        private final double logQ;
        private final double log1mq;
        private final double twoSigma2;
        private final double sqrt2Sigma;
        private final double z0;

        Series(double q, double sigma, double alpha) {
            this.alpha = alpha;
            this.logQ = Math.log(q);
            this.log1mq = Math.log1p(-q);
            this.twoSigma2 = 2 * sigma * sigma;
            this.sqrt2Sigma = SQRT2 * sigma;
            this.z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5;
        }

        double logS0(int i, double logCoefficient) {
            double j = alpha - i;
            double logT0 = logCoefficient + i * logQ + j * log1mq;
            double logE0 = LOG_HALF + Numerics.logErfc((i - z0) / sqrt2Sigma);
            return logT0 + ((double) i * i - i) / twoSigma2 + logE0;
        }

        double logS1(int i, double logCoefficient) {
            double j = alpha - i;
            double logT1 = logCoefficient + j * logQ + i * log1mq;
            double logE1 = LOG_HALF + Numerics.logErfc((z0 - j) / sqrt2Sigma);
            return logT1 + (j * j - j) / twoSigma2 + logE1;
        }
    }
}
