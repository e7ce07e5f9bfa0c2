package io.github.dpsgd4j.spark;

import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.core.sampling.PoissonSampler;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The union of the partitions' samples is a Poisson sample of the whole data: every example is
 * included with probability q, independently of the others (also across partitions), so the batch
 * size is Binomial(N, q).
 *
 * <p>Statistical checks, with the step keys drawn from a seeded source (deterministic test). For
 * T = 4000 steps, N = 400 examples in 4 partitions, q = 0.1, each check allows 6 standard errors:
 * under a correct sampler the chance that any of the 402 normal-approximation checks fails is below
 * 402 * 2e-9 &lt; 1e-6. The twin proves the checks reject partitions that share their randomness.
 */
class PoissonPartitionSamplingTest {

    private static final int PARTITIONS = 4;
    private static final int PER_PARTITION = 100;
    private static final int N = PARTITIONS * PER_PARTITION;
    private static final double Q = 0.1;
    private static final int STEPS = 4000;
    private static final double Z = 6;

    /** The failed checks of a sampler (step key, partition) -> sampler; empty when it looks Poisson. */
    private static List<String> poissonCheckFailures(BiFunction<byte[], Integer, PoissonSampler> sampler) {
        NoiseSource driver = NoiseSource.seeded(2026);
        long[] included = new long[N];
        double sumSize = 0;
        double sumSquares = 0;
        for (int t = 0; t < STEPS; t++) {
            byte[] key = SampleKeys.stepKey(driver);
            int size = 0;
            for (int p = 0; p < PARTITIONS; p++) {
                for (int local : sampler.apply(key, p).sample(PER_PARTITION)) {
                    included[p * PER_PARTITION + local]++;
                    size++;
                }
            }
            sumSize += size;
            sumSquares += (double) size * size;
        }
        List<String> failures = new ArrayList<>();
        double mean = STEPS * Q;
        double sd = Math.sqrt(STEPS * Q * (1 - Q));
        for (int i = 0; i < N; i++) {
            if (Math.abs(included[i] - mean) > Z * sd) {
                failures.add("example " + i + " included " + included[i] + " times, expected " + mean);
            }
        }
        double sizeMean = sumSize / STEPS;
        double sizeVariance = (sumSquares - STEPS * sizeMean * sizeMean) / (STEPS - 1);
        double expectedVariance = N * Q * (1 - Q);
        if (Math.abs(sizeMean - N * Q) > Z * Math.sqrt(expectedVariance / STEPS)) {
            failures.add("mean batch size " + sizeMean + ", expected " + N * Q);
        }
        // The sample variance of a (near-normal) Binomial has standard error about var * sqrt(2 / (T - 1)).
        if (Math.abs(sizeVariance - expectedVariance) > Z * expectedVariance * Math.sqrt(2.0 / (STEPS - 1))) {
            failures.add("batch size variance " + sizeVariance + ", expected " + expectedVariance);
        }
        return failures;
    }

    @Test
    void partitionSamples_formAPoissonSampleOfTheWholeData() {
        List<String> failures = poissonCheckFailures((key, p) -> SampleKeys.partitionSampler(key, p, Q));
        assertTrue(failures.isEmpty(), failures.toString());
    }

    @Test
    void twin_partitionsSharingOneKey_areRejected() {
        List<String> failures = poissonCheckFailures((key, p) -> SampleKeys.partitionSampler(key, 0, Q));
        assertFalse(failures.isEmpty(), "partitions drawing the same Bernoulli sequence must fail the variance check");
    }

    @Test
    void sameStepAndPartition_giveTheSameSample_otherPartitionsAndStepsDiffer() {
        NoiseSource driver = NoiseSource.seeded(5);
        byte[] key = SampleKeys.stepKey(driver);
        byte[] next = SampleKeys.stepKey(driver);
        int[] first = SampleKeys.partitionSampler(key, 3, 0.5).sample(256);
        assertArrayEquals(first, SampleKeys.partitionSampler(key.clone(), 3, 0.5).sample(256));
        assertFalse(java.util.Arrays.equals(first, SampleKeys.partitionSampler(key, 4, 0.5).sample(256)));
        assertFalse(java.util.Arrays.equals(first, SampleKeys.partitionSampler(next, 3, 0.5).sample(256)));
        assertEquals(32, SampleKeys.partitionKey(key, 0).length);
        assertTrue(SampleKeys.partitionSampler(key, 0, 0.5).isSecure());
    }
}
