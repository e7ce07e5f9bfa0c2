package io.github.dpsgd4j.optimizers.pergradient;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The result of one layer's private backward pass over a batch of B examples, kept until the
 * clipping factors of all layers are known.
 *
 * <p>Not thread-safe; used by one training step.
 */
public interface LayerBackward {

    /** dL/d(layer input) for the layer below (after dropout backprop), or null if not requested. */
    INDArray inputGradient();

    /**
     * Adds each example's squared L2 norm of this layer's parameter gradient to
     * {@code squaredNorms[i]} (length B).
     */
    void addSquaredNorms(double[] squaredNorms);

    /**
     * Adds {@code sum_i factors[i] * g_i}, the weighted sum of this layer's per-example parameter
     * gradients, into the layer's gradient view (it accumulates: call once per micro-batch).
     *
     * @param factors a [B, 1] column of clipping factors in the layer's data type
     */
    void accumulateClippedSum(INDArray factors);

    /**
     * For an output layer, the data loss summed over the batch (not private: for display only);
     * NaN for other layers.
     */
    default double summedLoss() {
        return Double.NaN;
    }
}
