package io.github.dpsgd4j.optimizers;

/**
 * What one private step did. The loss is computed on private data and is not protected by
 * differential privacy: use it to watch training, never publish it.
 *
 * @param step              the step's number, counted from 1 over the whole run (resumes included)
 * @param epoch             the epoch the step belongs to, counted from 0
 * @param batchSize         the size of the Poisson-sampled logical batch (0 for a noise-only step)
 * @param meanLoss          the data loss averaged over the batch (NaN for an empty batch)
 * @param clippedExamples   examples whose gradient norm exceeded the clipping norm
 * @param nonFiniteExamples examples whose gradient norm was NaN or infinite (they contributed nothing)
 */
public record StepReport(long step, int epoch, int batchSize, double meanLoss, int clippedExamples,
                         int nonFiniteExamples) {
}
