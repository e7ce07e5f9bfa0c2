package io.github.dpsgd4j.core.noise;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Twins of {@link NoiseSourceStatisticsTest}: the same statistics, fed deliberately wrong noise
 * (standard deviation off by 10% either way, a mean shifted by 0.01 sigma, and a generator
 * truncated at 4.8 sigma like ND4J's Box-Muller clamp), must reject. Inputs come from seeded
 * sources, so the outcomes are deterministic; with random keys the probability of failing to
 * reject is below 1e-20 for every case here (the effects are 10 or more standard errors).
 */
class GaussianStatisticsTwinTest {

    private static final int N = 1_000_000;
    private static final long TAIL_N = 100_000_000L;

    private static double[] scaled(long seed, double factor) {
        NoiseSource source = NoiseSource.seeded(seed);
        double[] x = new double[N];
        source.fillGaussian(x, 0, N, factor);
        return x;
    }

    @Test
    void mean_rejectsShiftOfOneHundredthSigma() {
        double[] x = scaled(1, 1.0);
        for (int i = 0; i < x.length; i++) {
            x[i] += 0.01;
        }
        assertTrue(GaussianStatistics.mean(x, 1).rejects());
    }

    @Test
    void variance_rejectsSigmaOffByTenPercent() {
        assertTrue(GaussianStatistics.variance(scaled(2, 0.9), 1).rejects());
        assertTrue(GaussianStatistics.variance(scaled(3, 1.1), 1).rejects());
    }

    @Test
    void kolmogorovSmirnov_rejectsSigmaOffByTenPercent() {
        assertTrue(GaussianStatistics.kolmogorovSmirnov(scaled(4, 0.9), 1).rejects());
        assertTrue(GaussianStatistics.kolmogorovSmirnov(scaled(5, 1.1), 1).rejects());
    }

    @Test
    void tails_rejectSigmaOffByTenPercent() {
        NoiseSource low = NoiseSource.seeded(6);
        assertTrue(GaussianStatistics.tails(c -> low.fillGaussian(c, 0, c.length, 0.9), TAIL_N, 1).rejects());
        NoiseSource high = NoiseSource.seeded(7);
        assertTrue(GaussianStatistics.tails(c -> high.fillGaussian(c, 0, c.length, 1.1), TAIL_N, 1).rejects());
    }

    @Test
    void tails_rejectGeneratorClampedAt4Point8Sigma() {
        NoiseSource source = NoiseSource.seeded(8);
        GaussianStatistics.Verdict verdict = GaussianStatistics.tails(c -> clampedBoxMuller(source, c), TAIL_N, 1);
        assertTrue(verdict.rejects(), verdict.detail());
    }

    /**
     * Box-Muller with the radius capped at 4.8, the law of ND4J's GaussianDistribution (uniforms
     * clamped at 1e-5 give r <= sqrt(-2 ln 1e-5) = 4.80): pairs (z1, z2) of a correct source,
     * whose radius sqrt(z1^2 + z2^2) is Box-Muller's r and whose angle is independent of it, are
     * rescaled onto the circle of radius 4.8 when they lie outside.
     */
    static void clampedBoxMuller(NoiseSource source, double[] chunk) {
        source.fillGaussian(chunk, 0, chunk.length, 1);
        double cap = Math.sqrt(-2 * Math.log(1e-5));
        for (int i = 0; i + 1 < chunk.length; i += 2) {
            double r = Math.hypot(chunk[i], chunk[i + 1]);
            if (r > cap) {
                chunk[i] *= cap / r;
                chunk[i + 1] *= cap / r;
            }
        }
    }
}
