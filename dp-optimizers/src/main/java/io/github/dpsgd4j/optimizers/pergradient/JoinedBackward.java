package io.github.dpsgd4j.optimizers.pergradient;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * One layer's backward pass made of parts whose gradients are disjoint parameter blocks (for
 * example an attention layer's input projections and its output projection): norms add, clipped
 * sums go to each part's own views.
 *
 * <p>Not thread-safe; used by one training step.
 *
 * @param parts         the parts; unmodifiable
 * @param inputGradient dL/d(layer input) for the layer below, or null
 */
record JoinedBackward(List<LayerBackward> parts, INDArray inputGradient) implements LayerBackward {

    /** Copies the list. */
    JoinedBackward {
        parts = List.copyOf(parts);
    }

    @Override
    public void addSquaredNorms(double[] squaredNorms) {
        for (LayerBackward part : parts) {
            part.addSquaredNorms(squaredNorms);
        }
    }

    @Override
    public void accumulateClippedSum(INDArray factors) {
        for (LayerBackward part : parts) {
            part.accumulateClippedSum(factors);
        }
    }
}
