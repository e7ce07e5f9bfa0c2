/**
 * Private training of Deeplearning4j networks with DP-SGD: {@link io.github.dpsgd4j.optimizers.DpSgdTrainer}
 * wraps a {@code MultiLayerNetwork} and its own updater, samples Poisson batches, clips every
 * example's gradient, adds calibrated Gaussian noise, keeps the privacy ledger, guards a budget and
 * writes crash-safe checkpoints.
 */
package io.github.dpsgd4j.optimizers;
