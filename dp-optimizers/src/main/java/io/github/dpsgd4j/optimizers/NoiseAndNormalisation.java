package io.github.dpsgd4j.optimizers;

import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.optimizers.engine.ClippedSum;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.indexing.conditions.Conditions;

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

    /**
     * Refuses a noise scale the model's parameters cannot hold: noise of standard deviation sigma C
     * draws values beyond ten standard deviations too rarely to matter, so {@code 10 sigma C} must be
     * a finite value of the parameters' type, or every parameter would become NaN or infinite. Called
     * by every trainer before anything is spent.
     *
     * @param config        the privacy settings
     * @param parameterType the model's parameter (and gradient) data type
     * @throws IllegalArgumentException naming sigma C, the type and the largest noise multiplier that fits
     */
    public static void requireRepresentable(DpSgdConfig config, DataType parameterType) {
        Checks.notNull("config", config);
        Checks.notNull("parameterType", parameterType);
        double largest = largestFinite(parameterType);
        if (config.isPrivate() && !(10 * config.noiseStandardDeviation() <= largest)) {
            throw new IllegalArgumentException("noise standard deviation noiseMultiplier * l2NormClip = "
                    + config.noiseStandardDeviation() + " overflows the model's " + parameterType
                    + " parameters (largest value " + largest + "): every parameter would become NaN or infinite; use "
                    + "a noise multiplier below " + largest / 10 / config.l2NormClip());
        }
    }

    /**
     * Refuses parameters that a noisy update left NaN or infinite (the step stays counted: erring toward
     * privacy). Called by every trainer after the update. The sum of the parameters is finite when every
     * parameter is (one reduction, about a millisecond for 670,000 parameters); only when it is not (a
     * non-finite parameter, or finite ones whose sum overflows) are the parameters searched one by one
     * (two passes, several times slower), so finite parameters are never refused.
     *
     * @param params the model's parameters after the update; not modified
     * @throws IllegalStateException saying what to lower and how to restart
     */
    public static void requireFiniteParameters(INDArray params) {
        Checks.notNull("params", params);
        if (Double.isFinite(params.sumNumber().doubleValue())) {
            return;
        }
        if (BooleanIndexing.or(params, Conditions.isNan()) || BooleanIndexing.or(params, Conditions.isInfinite())) {
            throw new IllegalStateException("the step left NaN or infinite parameters (the step is counted in the "
                    + "ledger): lower the learning rate, the noise multiplier or l2NormClip, and restart from a "
                    + "checkpoint or saved model");
        }
    }

    /** The largest finite value of a floating-point data type. */
    private static double largestFinite(DataType type) {
        return switch (type) {
            case DOUBLE -> Double.MAX_VALUE;
            case HALF -> 65504.0;
            default -> Float.MAX_VALUE; // FLOAT and BFLOAT16 share float's exponent range
        };
    }
}
