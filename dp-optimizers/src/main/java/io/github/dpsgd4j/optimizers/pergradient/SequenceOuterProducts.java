package io.github.dpsgd4j.optimizers.pergradient;

import io.github.dpsgd4j.core.clip.ClipAndSum;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Per-example gradients of a weight shared over time: example i's gradient is the sum over its
 * time steps of outer products, {@code G_i = sum_t a_it^T d_it = A_i^T D_i}, with A_i [T, K] the
 * inputs the weight saw and D_i [T, M] the deltas dL/dz it produced (a bias is a column of ones in
 * A). This is the one owner of that formula for the recurrent rules ({@link RnnOutputLayerRule},
 * {@link SimpleRnnLayerRule}, {@link LstmLayerRule}, {@link TimeDistributedLayerRule}).
 *
 * <p>The squared norm {@code |A_i^T D_i|_F^2} is computed one of two ways, whichever costs fewer
 * multiply-adds (Bu, Mao, Xu 2022, arXiv:2205.10683; Li et al. 2022, arXiv:2110.05679):
 * <ul>
 *   <li>ghost norm: {@code <A_i A_i^T, D_i D_i^T>_F}, two T x T Gram matrices per example,
 *       {@code T^2 (K + M)} work, in double precision (the inner product cancels; float rounding
 *       could make a norm come out low, which would under-clip); the clipped sum is then
 *       {@code A^T diag(c) D} over all rows (book-keeping);</li>
 *   <li>materialise: {@code G_i} for every example, {@code T K M} work and B K M memory, its norm
 *       by dp-core's rounding-up row norms, and the clipped sum {@code sum_i c_i G_i}.</li>
 * </ul>
 * Counting the clipped sum too, ghost norms cost {@code T^2 (K + M) + T K M} per example and
 * materialising {@code T K M + K M}, so materialising is chosen when {@code K M <= T^2 (K + M)} and
 * the B K M per-example gradients stay below {@link #MATERIALISE_LIMIT} elements (ghost norms are
 * the way out when memory is the limit, e.g. an output layer over a large vocabulary).
 *
 * <p>Not thread-safe; one instance per layer and batch. The arrays passed in are kept, not modified.
 */
final class SequenceOuterProducts {

    /** The largest per-example gradient array (elements) the materialised path may allocate. */
    static final long MATERIALISE_LIMIT = 1L << 24;

    private final INDArray inputs;
    private final INDArray deltas;
    private final long batch;
    private final long steps;
    private final INDArray materialised;

    /**
     * @param inputs example-major [B, T, K] (c order); not modified
     * @param deltas example-major [B, T, M] (c order), same data type; not modified
     */
    SequenceOuterProducts(INDArray inputs, INDArray deltas) {
        this(inputs, deltas, null);
    }

    /**
     * As above with the method fixed (both are exact; they differ in cost): {@code materialise}
     * true or false, or null to choose by cost.
     */
    SequenceOuterProducts(INDArray inputs, INDArray deltas, Boolean materialise) {
        if (inputs.rank() != 3 || deltas.rank() != 3 || inputs.size(0) != deltas.size(0)
                || inputs.size(1) != deltas.size(1)) {
            throw new IllegalArgumentException("inputs [B, T, K] and deltas [B, T, M] must agree in B and T, got "
                    + java.util.Arrays.toString(inputs.shape()) + " and " + java.util.Arrays.toString(deltas.shape()));
        }
        this.inputs = inputs;
        this.deltas = deltas;
        this.batch = inputs.size(0);
        this.steps = inputs.size(1);
        long k = inputs.size(2);
        long m = deltas.size(2);
        boolean chosen = materialise != null ? materialise
                : k * m <= steps * steps * (k + m) && batch * k * m <= MATERIALISE_LIMIT;
        this.materialised = chosen
                ? Nd4j.matmul(inputs, deltas, true, false, false).reshape('c', batch, k * m) : null;
    }

    /** Whether the per-example gradients are held (rather than ghost norms). */
    boolean isMaterialised() {
        return materialised != null;
    }

    /** Adds each example's {@code |A_i^T D_i|_F^2} to {@code squaredNorms[i]} (length B). */
    void addSquaredNorms(double[] squaredNorms) {
        if (materialised != null) {
            double[] norms = ClipAndSum.squaredRowNorms(materialised);
            for (int i = 0; i < squaredNorms.length; i++) {
                squaredNorms[i] += norms[i];
            }
            return;
        }
        INDArray a = inputs.castTo(DataType.DOUBLE);
        INDArray d = deltas.castTo(DataType.DOUBLE);
        INDArray inputGram = Nd4j.matmul(a, a, false, true, false);
        INDArray deltaGram = Nd4j.matmul(d, d, false, true, false);
        double[] norms = inputGram.muli(deltaGram).sum(1, 2).toDoubleVector();
        for (int i = 0; i < squaredNorms.length; i++) {
            // A Gram inner product can round slightly below 0 for a zero gradient.
            squaredNorms[i] += Math.max(0, norms[i]);
        }
    }

    /**
     * {@code sum_i c_i A_i^T D_i} as a new [K, M] array in the inputs' data type.
     *
     * @param factors [B, 1] clipping factors in the same data type; not modified
     */
    INDArray weightedSum(INDArray factors) {
        long k = inputs.size(2);
        long m = deltas.size(2);
        if (materialised != null) {
            return factors.transpose().mmul(materialised).reshape('c', k, m);
        }
        INDArray rowFactors = factors.reshape(batch, 1, 1).broadcast(batch, steps, 1).reshape('c', batch * steps, 1);
        INDArray scaled = deltas.reshape('c', batch * steps, m).mulColumnVector(rowFactors);
        INDArray result = Nd4j.createUninitialized(inputs.dataType(), k, m);
        Nd4j.gemm(inputs.reshape('c', batch * steps, k), scaled, result, true, false, 1.0, 0.0);
        return result;
    }
}
