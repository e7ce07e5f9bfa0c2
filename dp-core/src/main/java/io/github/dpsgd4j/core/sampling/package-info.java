/**
 * Batch sampling for DP-SGD. {@link io.github.dpsgd4j.core.sampling.PoissonSampler}: each example
 * joins a step's batch independently with probability {@code q}, the sampling that the
 * accountants' privacy amplification assumes (Abadi et al. 2016; Mironov, Talwar and Zhang 2019);
 * batches vary in size and may be empty. {@link io.github.dpsgd4j.core.sampling.ShuffledBatchSampler}:
 * fixed-size batches of a shuffled order, for comparisons only (the accountants do not cover it).
 */
package io.github.dpsgd4j.core.sampling;
