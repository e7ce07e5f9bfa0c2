/**
 * Private fine-tuning on Fashion-MNIST ({@code dpsgd4j train --preset fashion-mnist-finetune-eps1}):
 * a residual {@code ComputationGraph} CNN ({@link io.github.dpsgd4j.examples.finetune.ResidualCnn})
 * pretrained without privacy on a public part of the training file, everything below its output
 * layer frozen, and the output layer fine-tuned with DP-SGD on the disjoint private part; beside
 * it, the same graph trained with DP-SGD from scratch at the same budget. The split
 * ({@link io.github.dpsgd4j.examples.finetune.PublicPrivateSplit}) depends only on the number of
 * examples and a published seed, never on their content.
 */
package io.github.dpsgd4j.examples.finetune;
