package io.github.dpsgd4j.spark;

import io.github.dpsgd4j.core.clip.ClipStats;
import io.github.dpsgd4j.optimizers.engine.ClippedSum;
import org.apache.spark.api.java.function.Function2;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serial;
import java.io.Serializable;

/**
 * The transport form of a {@link ClippedSum} between executors and the driver: the coordinates, the
 * clipping statistics and the summed loss. A partition's own sum travels in the model's precision (4
 * bytes per parameter for FLOAT: what the single-machine engine computes, exactly); every merge adds
 * in doubles (8 bytes per parameter), so merging partitions adds no float rounding. {@link #merge} is associative and commutative (up to
 * floating-point rounding) with {@link #empty()} as identity: it is {@code treeAggregate}'s combine
 * function. Never modified after construction.
 *
 * <p>The statistics and the loss are computed on private data: monitoring only (as in dp-optimizers).
 */
final class PartialSum implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    /** A partition's coordinates in float (FLOAT and smaller models), or null. */
    private final float[] floats;
    /** The coordinates in double (DOUBLE models and every merge), or null. Both null: the sum of no examples. */
    private final double[] sum;
    private final int examples;
    private final int nonFinite;
    private final int clipped;
    private final double maxNorm;
    private final double summedLoss;

    private PartialSum(float[] floats, double[] sum, int examples, int nonFinite, int clipped, double maxNorm,
                       double summedLoss) {
        this.floats = floats;
        this.sum = sum;
        this.examples = examples;
        this.nonFinite = nonFinite;
        this.clipped = clipped;
        this.maxNorm = maxNorm;
        this.summedLoss = summedLoss;
    }

    /**
     * {@link #merge} as the function Spark ships to the executors. Defined here so that the lambda's capturing
     * class, which the executors load to deserialise it, is this small class (an application with Spark's core
     * alone must not need the types of every method of the trainer).
     */
    static final Function2<PartialSum, PartialSum, PartialSum> MERGE = PartialSum::merge;

    /** The sum of no examples. */
    static PartialSum empty() {
        return new PartialSum(null, null, 0, 0, 0, 0, 0);
    }

    /** The transport form of {@code sum}. */
    static PartialSum of(ClippedSum sum) {
        ClipStats s = sum.stats();
        if (s.size() == 0) {
            return empty();
        }
        INDArray coordinates = sum.sum();
        boolean inDouble = coordinates.dataType() == DataType.DOUBLE;
        return new PartialSum(inDouble ? null : coordinates.toFloatVector(), inDouble ? coordinates.toDoubleVector() : null,
                s.size(), s.nonFiniteCount(), s.clippedCount(), s.maxNorm(), sum.summedLoss());
    }

    private boolean isEmpty() {
        return floats == null && sum == null && examples == 0;
    }

    private int length() {
        return floats != null ? floats.length : sum.length;
    }

    /** Coordinate i as a double (exact for floats). */
    private double at(int i) {
        return floats != null ? floats[i] : sum[i];
    }

    /** Bytes of the coordinates as they travel (4 or 8 per parameter; 0 when empty). */
    long coordinateBytes() {
        return floats != null ? 4L * floats.length : sum != null ? 8L * sum.length : 0;
    }

    /** Both sums together; neither is modified. */
    PartialSum merge(PartialSum other) {
        if (other.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return other;
        }
        if (length() != other.length()) {
            throw new IllegalStateException("partition sums of " + length() + " and " + other.length()
                    + " parameters cannot be merged");
        }
        double[] total = new double[length()];
        for (int i = 0; i < total.length; i++) {
            total[i] = at(i) + other.at(i);
        }
        return new PartialSum(null, total, Math.addExact(examples, other.examples), nonFinite + other.nonFinite,
                clipped + other.clipped, Math.max(maxNorm, other.maxNorm), summedLoss + other.summedLoss);
    }

    /** Number of examples summed. */
    int examples() {
        return examples;
    }

    /** The clipped sum in the model's type and length ({@code params} coordinates; zeros if empty). */
    ClippedSum toClippedSum(DataType dataType, long params) {
        ClipStats stats = new ClipStats(examples, nonFinite, clipped, maxNorm);
        if (isEmpty()) {
            ClippedSum zero = ClippedSum.zero(dataType, params);
            return new ClippedSum(zero.sum(), stats, summedLoss);
        }
        if (length() != params) {
            throw new IllegalStateException("the merged sum has " + length() + " coordinates, the model " + params);
        }
        INDArray array;
        if (dataType == DataType.FLOAT) {
            float[] out = floats;
            if (out == null) {
                out = new float[sum.length];
                for (int i = 0; i < out.length; i++) {
                    out[i] = (float) sum[i];
                }
            }
            array = Nd4j.createFromArray(out).reshape(1, out.length);
        } else if (dataType == DataType.DOUBLE && sum != null) {
            array = Nd4j.createFromArray(sum).reshape(1, sum.length);
        } else {
            double[] all = new double[length()];
            for (int i = 0; i < all.length; i++) {
                all[i] = at(i);
            }
            return ClippedSum.fromArray(all, dataType, stats, summedLoss);
        }
        return new ClippedSum(array, stats, summedLoss); // one off-heap array: the caller may close it after use
    }
}
