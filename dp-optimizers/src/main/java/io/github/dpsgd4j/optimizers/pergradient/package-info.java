/**
 * Per-example gradient clipping inside DL4J networks: {@link io.github.dpsgd4j.optimizers.pergradient.LayerRule}s
 * compute per-example gradient norms without materialising per-example gradients (dense, output,
 * 2D convolution, embedding layers) and form clipped sums by book-keeping in one backward pass;
 * {@link io.github.dpsgd4j.optimizers.pergradient.PrivateBackprop} chooses between that and an
 * exact per-example loop for layers without a rule.
 */
package io.github.dpsgd4j.optimizers.pergradient;
