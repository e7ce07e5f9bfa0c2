package io.github.dpsgd4j.core.noise;

import org.apache.commons.math3.distribution.BinomialDistribution;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;

/**
 * Goodness-of-fit statistics for N(0, sigma^2) samples, each a test at a stated false-rejection
 * rate ({@link #ALPHA} per statistic unless said otherwise) that returns whether it rejects.
 * Used twice: on the real sources (must accept) and on deliberately wrong noise (must reject).
 */
final class GaussianStatistics {

    /** False-rejection probability of each statistic on correct N(0, sigma^2) input. */
    static final double ALPHA = 1e-6;

    private static final NormalDistribution STANDARD = new NormalDistribution(null, 0, 1);
    /** Two-sided critical value of a standard normal at {@link #ALPHA}: 4.8916. */
    static final double Z_CRITICAL = STANDARD.inverseCumulativeProbability(1 - ALPHA / 2);

    private GaussianStatistics() {
    }

    /** A stream of samples, delivered in chunks. */
    interface Samples {
        void fill(double[] chunk);
    }

    /** Outcome of one statistic: whether it rejects, and the numbers behind it for messages. */
    record Verdict(boolean rejects, String detail) {
    }

    /** z-test of the mean: sum / (sigma sqrt(n)) ~ N(0, 1). */
    static Verdict mean(double[] x, double sigma) {
        double sum = 0;
        for (double v : x) {
            sum += v;
        }
        double z = sum / (sigma * Math.sqrt(x.length));
        return new Verdict(Math.abs(z) > Z_CRITICAL, "mean z = " + z + ", critical " + Z_CRITICAL);
    }

    /**
     * Variance test with known mean 0: sum x^2 / sigma^2 ~ chi-square(n), standardised with the
     * Wilson-Hilferty transform ((S/n)^(1/3) - (1 - 2/(9n))) / sqrt(2/(9n)) ~ N(0, 1), accurate to
     * far better than needed at the n >= 1e5 used here.
     */
    static Verdict variance(double[] x, double sigma) {
        double s = 0;
        for (double v : x) {
            s += (v / sigma) * (v / sigma);
        }
        int n = x.length;
        double c = 2.0 / (9.0 * n);
        double z = (Math.cbrt(s / n) - (1 - c)) / Math.sqrt(c);
        return new Verdict(Math.abs(z) > Z_CRITICAL, "variance ratio " + (s / n) + ", z = " + z);
    }

    /** Kolmogorov-Smirnov test against N(0, sigma^2) (commons-math3), rejecting when p < ALPHA. */
    static Verdict kolmogorovSmirnov(double[] x, double sigma) {
        double p = new KolmogorovSmirnovTest().kolmogorovSmirnovTest(new NormalDistribution(null, 0, sigma),
                x.clone(), false);
        return new Verdict(p < ALPHA, "KS p-value " + p);
    }

    /**
     * Tails of {@code n} samples of N(0, sigma^2), three checks in one pass:
     * <ol>
     *   <li>the count beyond 4 sigma lies in the central 1 - ALPHA interval of
     *       Binomial(n, 2 Phi(-4)) (6.33e-5 per sample);</li>
     *   <li>the count beyond 5 sigma lies in the central 1 - ALPHA interval of
     *       Binomial(n, 2 Phi(-5)) (5.73e-7 per sample);</li>
     *   <li>the largest |z| exceeds 5.2: for a true normal, P(max |z| <= 5.2) =
     *       (1 - 2 Phi(-5.2))^n, 2.3e-9 at n = 1e8, while a generator truncated at 4.8 sigma
     *       (ND4J's clamp) never gets there.</li>
     * </ol>
     * False rejection at most 2 ALPHA + (1 - 2 Phi(-5.2))^n (union bound), i.e. about 2e-6.
     */
    static Verdict tails(Samples samples, long n, double sigma) {
        double[] chunk = new double[1 << 16];
        long beyond4 = 0;
        long beyond5 = 0;
        double max = 0;
        double t4 = 4 * sigma;
        double t5 = 5 * sigma;
        for (long done = 0; done < n; done += chunk.length) {
            int m = (int) Math.min(chunk.length, n - done);
            if (m < chunk.length) {
                chunk = new double[m];
            }
            samples.fill(chunk);
            for (double v : chunk) {
                double a = Math.abs(v);
                beyond4 += a > t4 ? 1 : 0;
                beyond5 += a > t5 ? 1 : 0;
                max = Math.max(max, a);
            }
        }
        long[] range4 = centralRange(n, 2 * STANDARD.cumulativeProbability(-4));
        long[] range5 = centralRange(n, 2 * STANDARD.cumulativeProbability(-5));
        boolean rejects = beyond4 < range4[0] || beyond4 > range4[1]
                || beyond5 < range5[0] || beyond5 > range5[1]
                || max / sigma <= 5.2;
        return new Verdict(rejects, "beyond 4 sigma " + beyond4 + " in [" + range4[0] + ", " + range4[1]
                + "], beyond 5 sigma " + beyond5 + " in [" + range5[0] + ", " + range5[1] + "], max |z| "
                + max / sigma);
    }

    /** Smallest interval [lo, hi] with P(X < lo) <= ALPHA/2 and P(X > hi) <= ALPHA/2, X ~ Binomial(n, p). */
    static long[] centralRange(long n, double p) {
        BinomialDistribution d = new BinomialDistribution(null, Math.toIntExact(n), p);
        long lo = d.inverseCumulativeProbability(ALPHA / 2);
        long hi = d.inverseCumulativeProbability(1 - ALPHA / 2);
        return new long[] {lo, hi};
    }
}
