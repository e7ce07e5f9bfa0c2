/**
 * Poisson sampling of training examples: each example joins a step's batch independently with
 * probability {@code q}, the sampling that the accountants' privacy amplification assumes
 * (Abadi et al. 2016; Mironov, Talwar and Zhang 2019). Batches vary in size and may be empty.
 */
package io.github.dpsgd4j.core.sampling;
