package io.github.dpsgd4j.spark;

import io.github.dpsgd4j.core.clip.ClipStats;
import io.github.dpsgd4j.optimizers.engine.ClippedSum;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serial;
import java.io.Serializable;

/**
 * The transport form of a {@link ClippedSum} between executors and the driver: the coordinates as
 * doubles (8 bytes per parameter, so partition sums of FLOAT models merge without float rounding),
 * the clipping statistics and the summed loss. {@link #merge} is associative and commutative (up to
 * floating-point rounding) with {@link #empty()} as identity: it is {@code treeAggregate}'s combine
 * function. Never modified after construction.
 *
 * <p>The statistics and the loss are computed on private data: monitoring only (as in dp-optimizers).
 */
final class PartialSum implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    /** The coordinates, or null for the sum of no examples (a zero vector of any length). */
    private final double[] sum;
    private final int examples;
    private final int nonFinite;
    private final int clipped;
    private final double maxNorm;
    private final double summedLoss;

    private PartialSum(double[] sum, int examples, int nonFinite, int clipped, double maxNorm, double summedLoss) {
        this.sum = sum;
        this.examples = examples;
        this.nonFinite = nonFinite;
        this.clipped = clipped;
        this.maxNorm = maxNorm;
        this.summedLoss = summedLoss;
    }

    /** The sum of no examples. */
    static PartialSum empty() {
        return new PartialSum(null, 0, 0, 0, 0, 0);
    }

    /** The transport form of {@code sum}. */
    static PartialSum of(ClippedSum sum) {
        ClipStats s = sum.stats();
        if (s.size() == 0) {
            return empty();
        }
        return new PartialSum(coordinates(sum.sum()), s.size(), s.nonFiniteCount(), s.clippedCount(), s.maxNorm(),
                sum.summedLoss());
    }

    /** The coordinates of a [1, P] FLOAT or DOUBLE array as doubles, without an off-heap temporary. */
    private static double[] coordinates(INDArray sum) {
        if (sum.dataType() == DataType.DOUBLE) {
            return sum.toDoubleVector();
        }
        float[] floats = sum.toFloatVector();
        double[] out = new double[floats.length];
        for (int i = 0; i < floats.length; i++) {
            out[i] = floats[i];
        }
        return out;
    }

    /** Both sums together; neither is modified. */
    PartialSum merge(PartialSum other) {
        if (other.sum == null && other.examples == 0) {
            return this;
        }
        if (sum == null && examples == 0) {
            return other;
        }
        if (sum.length != other.sum.length) {
            throw new IllegalStateException("partition sums of " + sum.length + " and " + other.sum.length
                    + " parameters cannot be merged");
        }
        double[] total = sum.clone();
        for (int i = 0; i < total.length; i++) {
            total[i] += other.sum[i];
        }
        return new PartialSum(total, Math.addExact(examples, other.examples), nonFinite + other.nonFinite,
                clipped + other.clipped, Math.max(maxNorm, other.maxNorm), summedLoss + other.summedLoss);
    }

    /** Number of examples summed. */
    int examples() {
        return examples;
    }

    /** The clipped sum in the model's type and length ({@code params} coordinates; zeros if empty). */
    ClippedSum toClippedSum(DataType dataType, long params) {
        ClipStats stats = new ClipStats(examples, nonFinite, clipped, maxNorm);
        if (sum == null) {
            ClippedSum zero = ClippedSum.zero(dataType, params);
            return new ClippedSum(zero.sum(), stats, summedLoss);
        }
        if (sum.length != params) {
            throw new IllegalStateException("the merged sum has " + sum.length + " coordinates, the model " + params);
        }
        INDArray array;
        if (dataType == DataType.FLOAT) {
            float[] floats = new float[sum.length];
            for (int i = 0; i < floats.length; i++) {
                floats[i] = (float) sum[i];
            }
            array = Nd4j.createFromArray(floats).reshape(1, sum.length);
        } else if (dataType == DataType.DOUBLE) {
            array = Nd4j.createFromArray(sum).reshape(1, sum.length);
        } else {
            return ClippedSum.fromArray(sum, dataType, stats, summedLoss);
        }
        return new ClippedSum(array, stats, summedLoss); // one off-heap array: the caller may close it after use
    }
}
