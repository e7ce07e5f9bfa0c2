package io.github.dpsgd4j.optimizers;

import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.optimizers.engine.ClippedSum;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.List;

/**
 * The Gaussian mechanism of one step: the merged clipped sum of a logical batch plus
 * {@code N(0, (sigma C)^2)} on every trainable coordinate, divided by the <em>expected</em> batch
 * size {@code q N} (never the actual size, which depends on the data) (Abadi et al. 2016,
 * Algorithm 1). Noise is drawn once per logical batch, after every micro-batch, thread or partition
 * has been merged; frozen coordinates get none (they are not released as a function of the data).
 *
 * <p>Not thread-safe when the noise source is not.
 */
public final class NoiseAndNormalisation {

    private final NoiseSource noise;
    private final double noiseStandardDeviation;
    private final List<long[]> trainableRanges;

    /**
     * @param noise                  the source of Gaussian noise (secure for private training)
     * @param noiseStandardDeviation sigma * C, finite and {@code >= 0} (0: no noise, not private)
     * @param trainableRanges        [start, end) ranges of the flat gradient that get noise; copied
     */
    public NoiseAndNormalisation(NoiseSource noise, double noiseStandardDeviation, List<long[]> trainableRanges) {
        this.noise = Checks.notNull("noise", noise);
        this.noiseStandardDeviation = Checks.finiteNonNegative("noiseStandardDeviation", noiseStandardDeviation);
        Checks.notNull("trainableRanges", trainableRanges);
        this.trainableRanges = trainableRanges.stream().map(long[]::clone).toList();
    }

    /**
     * Writes {@code (sum + noise) / expectedBatchSize} into {@code gradient}.
     *
     * @param sum               the merged clipped sum of the logical batch; not modified
     * @param gradient          [1, P] destination (the model's gradient view), overwritten
     * @param expectedBatchSize q N, {@code > 0}
     */
    public void noisyAverage(ClippedSum sum, INDArray gradient, double expectedBatchSize) {
        Checks.notNull("sum", sum);
        Checks.notNull("gradient", gradient);
        Checks.positive("expectedBatchSize", expectedBatchSize);
        gradient.assign(sum.sum());
        if (noiseStandardDeviation > 0) {
            for (long[] range : trainableRanges) {
                noise.addGaussian(gradient.get(NDArrayIndex.point(0), NDArrayIndex.interval(range[0], range[1])),
                        noiseStandardDeviation);
            }
        }
        gradient.divi(expectedBatchSize);
    }
}
