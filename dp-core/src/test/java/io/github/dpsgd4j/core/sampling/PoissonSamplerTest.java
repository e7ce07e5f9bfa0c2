package io.github.dpsgd4j.core.sampling;

import io.github.dpsgd4j.core.noise.NoiseSource;
import org.apache.commons.math3.distribution.ChiSquaredDistribution;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Poisson sampling is Bernoulli(q) per index. Statistical checks are seeded (deterministic); each
 * would fail with probability at most ALPHA = 1e-6 for a random key, and each has a twin with q
 * off by 10% that the same check rejects.
 */
class PoissonSamplerTest {

    private static final double ALPHA = 1e-6;
    private static final double Z = new NormalDistribution(null, 0, 1).inverseCumulativeProbability(1 - ALPHA / 2);
    private static final int POPULATION = 1000;
    private static final int DRAWS = 20_000;
    private static final double Q = 0.1;

    /** Counts of the sizes and of each index's inclusions over {@link #DRAWS} samples. */
    private record Tally(double meanSize, double sizeVariance, long[] inclusions) {
    }

    private static Tally tally(double samplingQ, long seed) {
        PoissonSampler sampler = new PoissonSampler(samplingQ, NoiseSource.seeded(seed));
        long[] inclusions = new long[POPULATION];
        double sum = 0;
        double sumSquares = 0;
        for (int d = 0; d < DRAWS; d++) {
            int[] sample = sampler.sample(POPULATION);
            sum += sample.length;
            sumSquares += (double) sample.length * sample.length;
            for (int index : sample) {
                inclusions[index]++;
            }
        }
        double mean = sum / DRAWS;
        return new Tally(mean, (sumSquares - DRAWS * mean * mean) / (DRAWS - 1), inclusions);
    }

    /** Size mean: z-test against Binomial(N, q), whose variance N q (1 - q) is known. */
    private static boolean meanRejects(Tally t, double q) {
        double z = (t.meanSize - POPULATION * q) / Math.sqrt(POPULATION * q * (1 - q) / DRAWS);
        return Math.abs(z) > Z;
    }

    /**
     * Size variance: (DRAWS - 1) s^2 / (N q (1 - q)) is close to chi-square(DRAWS - 1) (a Binomial
     * with N q = 100 is nearly normal; its excess kurtosis 0.0089 widens the statistic's spread by
     * 0.2%, negligible at these critical values).
     */
    private static boolean varianceRejects(Tally t, double q) {
        ChiSquaredDistribution chi = new ChiSquaredDistribution(null, DRAWS - 1);
        double statistic = (DRAWS - 1) * t.sizeVariance / (POPULATION * q * (1 - q));
        return statistic < chi.inverseCumulativeProbability(ALPHA / 2)
                || statistic > chi.inverseCumulativeProbability(1 - ALPHA / 2);
    }

    /**
     * Per-index inclusion frequency: sum over indices of (c_i - D q)^2 / (D q (1 - q)) is
     * approximately chi-square(N) (each c_i ~ Binomial(D, q) with D q = 2000, independent across i).
     */
    private static boolean perIndexRejects(Tally t, double q) {
        double statistic = 0;
        double expected = DRAWS * q;
        for (long c : t.inclusions) {
            statistic += (c - expected) * (c - expected) / (expected * (1 - q));
        }
        ChiSquaredDistribution chi = new ChiSquaredDistribution(null, POPULATION);
        return statistic < chi.inverseCumulativeProbability(ALPHA / 2)
                || statistic > chi.inverseCumulativeProbability(1 - ALPHA / 2);
    }

    @Test
    void sizeMeanVarianceAndPerIndexFrequencyMatchBernoulliQ() {
        Tally t = tally(Q, 1);
        assertFalse(meanRejects(t, Q), "mean size " + t.meanSize);
        assertFalse(varianceRejects(t, Q), "size variance " + t.sizeVariance);
        assertFalse(perIndexRejects(t, Q));
    }

    @Test
    void twin_sampleRateOffByTenPercentIsRejected() {
        for (double wrong : new double[] {0.9 * Q, 1.1 * Q}) {
            Tally t = tally(wrong, 2);
            assertTrue(meanRejects(t, Q), "mean size " + t.meanSize);
            assertTrue(varianceRejects(t, Q), "size variance " + t.sizeVariance);
            assertTrue(perIndexRejects(t, Q));
        }
    }

    @Test
    void sample_isSortedDistinctAndInRange() {
        PoissonSampler sampler = new PoissonSampler(0.3, NoiseSource.seeded(5));
        for (int r = 0; r < 100; r++) {
            int[] s = sampler.sample(777);
            for (int i = 0; i < s.length; i++) {
                assertTrue(s[i] >= 0 && s[i] < 777);
                if (i > 0) {
                    assertTrue(s[i] > s[i - 1]);
                }
            }
        }
    }

    @Test
    void sample_rateOneTakesEveryoneAndEmptyPopulationGivesEmpty() {
        PoissonSampler all = new PoissonSampler(1.0, NoiseSource.seeded(6));
        int[] s = all.sample(5000);
        assertEquals(5000, s.length);
        for (int i = 0; i < s.length; i++) {
            assertEquals(i, s[i]);
        }
        assertEquals(0, all.sample(0).length);
    }

    @Test
    void sample_mayBeEmptyForSmallRates() {
        PoissonSampler tiny = new PoissonSampler(1e-6, NoiseSource.seeded(7));
        int empties = 0;
        for (int r = 0; r < 50; r++) {
            empties += tiny.sample(100).length == 0 ? 1 : 0;
        }
        assertTrue(empties > 40);
        assertEquals(0, new PoissonSampler(1e-17, NoiseSource.seeded(8)).sample(100_000).length);
    }

    @Test
    void sample_growsBeyondItsInitialCapacityWhenTheSampleIsLarge() {
        // With q = 0.5 and N = 20 the capacity starts at min(N, 10 + 8 sqrt(10) + 16) = 20, so force
        // growth with a larger population where the initial guess is far below N.
        PoissonSampler half = new PoissonSampler(0.5, NoiseSource.seeded(9));
        int[] s = half.sample(100_000);
        assertTrue(s.length > 49_000 && s.length < 51_000);
    }

    @Test
    void sample_isReproducibleWithSeededSource() {
        assertArrayEquals(new PoissonSampler(0.2, NoiseSource.seeded(10)).sample(10_000),
                new PoissonSampler(0.2, NoiseSource.seeded(10)).sample(10_000));
    }

    @Test
    void effectiveSampleRate_isAtMostQAndWithin2ToMinus53() {
        for (double q : new double[] {1e-9, 0.001, 0.1, 1.0 / 3, 0.999999, 1.0}) {
            PoissonSampler s = new PoissonSampler(q, NoiseSource.seeded(1));
            assertTrue(s.effectiveSampleRate() <= q);
            assertTrue(q - s.effectiveSampleRate() < 0x1.0p-53);
        }
    }

    @Test
    void isSecure_followsTheSource() {
        assertTrue(new PoissonSampler(0.5, NoiseSource.secure()).isSecure());
        assertFalse(new PoissonSampler(0.5, NoiseSource.seeded(1)).isSecure());
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.0, -0.1, 1.0000001, Double.NaN, Double.POSITIVE_INFINITY})
    void constructor_rejectsSampleRateOutsideUnitIntervalNamingIt(double q) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PoissonSampler(q, NoiseSource.seeded(1)));
        assertEquals("sampleRate must be in (0, 1], got " + q, e.getMessage());
    }

    @Test
    void rejectsNullSourceAndNegativePopulation() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PoissonSampler(0.5, null));
        assertEquals("randomness must not be null", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new PoissonSampler(0.5, NoiseSource.seeded(1)).sample(-3));
        assertEquals("populationSize must be >= 0, got -3", e.getMessage());
    }
}
