package io.github.dpsgd4j.optimizers.model;

import io.github.dpsgd4j.optimizers.pergradient.LayerBackward;

import java.util.List;

/**
 * What a model's private backward pass over one micro-batch left behind: one
 * {@link LayerBackward} per trainable layer with a rule (in any order), ready for norms and the
 * clipped sum, and the data loss.
 *
 * @param layers     the per-layer results; unmodifiable
 * @param summedLoss the data loss summed over the examples and the model's outputs (not private:
 *                   for display only); NaN if unknown
 */
public record BackwardPass(List<LayerBackward> layers, double summedLoss) {

    /** Copies the list. */
    public BackwardPass {
        layers = List.copyOf(layers);
    }
}
