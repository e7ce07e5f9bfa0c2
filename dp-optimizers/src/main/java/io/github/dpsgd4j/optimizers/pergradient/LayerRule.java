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
 * <p>Rules live in an ordered {@link LayerRules} registry, which asks {@link #supports} to find
 * the rule for each layer. To train a layer of your own with book-keeping, implement both methods
 * and register the rule ({@code LayerRules.defaults().withFirst(rule)}); prove it against
 * batch-of-one DL4J backprop as the built-in rules' tests do.
 *
 * <p>Rules are stateless and thread-safe; the per-batch state lives in the returned
 * {@link LayerBackward}.
 */
public interface LayerRule {

    /**
     * Whether this rule handles {@code layer}: {@link LayerSupport#supported()},
     * {@link LayerSupport#notHandled()} for another kind of layer,
     * {@link LayerSupport#unsupported(String)} with a reason for a layer of its kind in a
     * configuration it cannot handle (e.g. layer normalisation), or
     * {@link LayerSupport#rejected(String)} for a layer that must not be trained privately.
     * A supported layer must be row-wise: example i's output depends on example i's input only.
     *
     * @param layer an initialised layer of the model; not modified
     */
    LayerSupport supports(Layer layer);

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
