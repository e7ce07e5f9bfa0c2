package io.github.dpsgd4j.optimizers.pergradient;

import org.deeplearning4j.nn.api.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How one kind of DL4J layer takes part in a private backward pass: it computes each example's
 * squared gradient norm without materialising per-example gradients where it can, hands the
 * gradient with respect to its input to the layer below, and afterwards forms the clipped sum
 * {@code sum_i c_i g_i} of its parameters' per-example gradients from what it kept (book-keeping:
 * one backward pass, so dropout masks stay those of the forward pass).
 *
 * <p>Rules are stateless and thread-safe; the per-batch state lives in the returned
 * {@link LayerBackward}.
 */
public interface LayerRule {

    /**
     * Runs this layer's backward pass for the batch whose forward pass the layer just saw (its
     * {@code input()} holds the post-dropout input).
     *
     * @param layer               the layer; its input must be set by a training forward pass
     * @param outputGradient      dL/d(layer output) for every example, summed loss (not divided by
     *                            the batch size); null for an output layer, which derives it from
     *                            its labels
     * @param needInputGradient   whether the layer below needs dL/d(layer input); false for the
     *                            first layer, which saves a matrix product
     * @return the per-batch state: input gradient, squared norms, clipped-sum accumulation
     */
    LayerBackward backward(Layer layer, INDArray outputGradient, boolean needInputGradient);
}
