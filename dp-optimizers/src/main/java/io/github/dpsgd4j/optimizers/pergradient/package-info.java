/**
 * Layer rules for per-example gradient clipping: a {@link io.github.dpsgd4j.optimizers.pergradient.LayerRule}
 * computes one kind of layer's per-example gradient norms without materialising per-example
 * gradients where it can (dense, output, 2D convolution, embedding layers) and forms its clipped
 * sum by book-keeping; {@link io.github.dpsgd4j.optimizers.pergradient.LayerRules} is the open,
 * ordered registry that validation and the model adapters ask.
 */
package io.github.dpsgd4j.optimizers.pergradient;
