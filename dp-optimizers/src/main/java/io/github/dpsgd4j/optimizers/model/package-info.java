/**
 * Model adapters: one {@link io.github.dpsgd4j.optimizers.model.ModelAdapter} per kind of DL4J
 * model gives the rest of the private step (gradient engine, noise, privacy guard, trainer) the
 * forward and private backward pass, the flat gradient view, the trainable ranges, the updater
 * step as {@code fit()} applies it, and the counters and listeners.
 * {@link io.github.dpsgd4j.optimizers.model.ExampleSet} holds a training set for sampling and
 * {@link io.github.dpsgd4j.optimizers.model.Batch} one micro-batch of it.
 */
package io.github.dpsgd4j.optimizers.model;
