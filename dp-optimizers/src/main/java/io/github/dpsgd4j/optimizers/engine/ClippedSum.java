package io.github.dpsgd4j.optimizers.engine;

import io.github.dpsgd4j.core.clip.ClipStats;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The result of the per-example gradient engine over some examples: the sum of their clipped
 * gradients {@code sum_i c_i g_i} (a flat [1, P] vector in the model's coordinates), the clipping
 * statistics and the summed data loss. {@link #merge} is associative and commutative (up to the
 * rounding of floating-point addition), so micro-batches, threads or machines each produce one
 * and the results combine before noise is added once.
 *
 * <p>The statistics and the loss depend on the private data and are not protected: they are for
 * monitoring, never for publication.
 *
 * <p>Immutable: the sum array is never modified after construction (callers must not modify what
 * {@link #sum()} returns). Lives outside ND4J workspaces. For transport (e.g. between Spark
 * executors) use {@link #toDoubleArray()} and {@link #fromArray}.
 */
public final class ClippedSum {

    private final INDArray sum;
    private final ClipStats stats;
    private final double summedLoss;

    /**
     * @param sum        [1, P] clipped sum, detached from workspaces; taken over (not copied)
     * @param stats      the clipping statistics of the examples, not null
     * @param summedLoss the data loss summed over the examples, NaN if unknown (0 for no examples)
     */
    public ClippedSum(INDArray sum, ClipStats stats, double summedLoss) {
        if (sum == null || stats == null) {
            throw new IllegalArgumentException("sum and stats must not be null");
        }
        if (sum.rank() != 2 || sum.size(0) != 1) {
            throw new IllegalArgumentException("sum must have shape [1, P], got " + java.util.Arrays.toString(sum.shape()));
        }
        this.sum = sum;
        this.stats = stats;
        this.summedLoss = summedLoss;
    }

    /** The sum of no examples: zeros of the given type and length P. */
    public static ClippedSum zero(DataType dataType, long params) {
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            return new ClippedSum(Nd4j.zeros(dataType, 1, params), ClipStats.empty(), 0);
        }
    }

    /**
     * Rebuilds a clipped sum from its transport form.
     *
     * @param values     the P coordinates; not modified
     * @param dataType   the model's data type
     */
    public static ClippedSum fromArray(double[] values, DataType dataType, ClipStats stats, double summedLoss) {
        if (values == null) {
            throw new IllegalArgumentException("values must not be null");
        }
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            return new ClippedSum(Nd4j.createFromArray(values).castTo(dataType).reshape(1, values.length), stats,
                    summedLoss);
        }
    }

    /** Both sets of examples together: sums add, statistics merge, losses add. */
    public ClippedSum merge(ClippedSum other) {
        if (other == null) {
            throw new IllegalArgumentException("other must not be null");
        }
        if (other.sum.length() != sum.length() || other.sum.dataType() != sum.dataType()) {
            throw new IllegalArgumentException("cannot merge a clipped sum of " + other.sum.length() + " "
                    + other.sum.dataType() + " values into one of " + sum.length() + " " + sum.dataType());
        }
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            return new ClippedSum(sum.add(other.sum), stats.merge(other.stats), summedLoss + other.summedLoss);
        }
    }

    /** The clipped sum [1, P]. Do not modify. */
    public INDArray sum() {
        return sum;
    }

    /** The coordinates of the sum as doubles (a copy). */
    public double[] toDoubleArray() {
        return sum.castTo(DataType.DOUBLE).reshape(sum.length()).toDoubleVector();
    }

    /** The clipping statistics (examples, clipped, non-finite, largest norm). */
    public ClipStats stats() {
        return stats;
    }

    /** Number of examples summed (skipped non-finite ones included). */
    public int examples() {
        return stats.size();
    }

    /** The data loss summed over the examples (not private); NaN if unknown. */
    public double summedLoss() {
        return summedLoss;
    }
}
