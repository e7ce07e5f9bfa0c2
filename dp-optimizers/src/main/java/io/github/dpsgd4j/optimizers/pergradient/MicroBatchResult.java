package io.github.dpsgd4j.optimizers.pergradient;

/**
 * What one micro-batch of a private backward pass produced besides its clipped gradient sum.
 *
 * @param examples  the number of examples in the micro-batch
 * @param summedLoss the data loss summed over the examples (not private: for progress display
 *                   only), NaN if the engine could not compute it
 */
public record MicroBatchResult(int examples, double summedLoss) {
}
