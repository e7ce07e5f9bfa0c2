package io.github.dpsgd4j.optimizers.pergradient;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * A layer's backward pass made of parts that cover disjoint blocks of its parameters (for example
 * the depthwise and the pointwise weights of a separable convolution, each with the norm method
 * that suits it, or an attention layer's input projections and its output projection): example
 * i's squared norm is the sum of the parts' squared norms, and each part adds its own block of the
 * clipped sum.
 *
 * <p>Not thread-safe; used by one training step.
 *
 * @param inputGradient dL/d(layer input) for the layer below, or null
 * @param parts         the parts, each over its own parameters; their own input gradients are ignored
 */
record CombinedBackward(INDArray inputGradient, List<LayerBackward> parts) implements LayerBackward {

    /** Copies the list of parts. */
    CombinedBackward {
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
