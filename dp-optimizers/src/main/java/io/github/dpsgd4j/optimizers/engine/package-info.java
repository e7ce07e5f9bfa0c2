/**
 * The per-example gradient engine: {@link io.github.dpsgd4j.optimizers.engine.GradientEngine}
 * turns a micro-batch into a {@link io.github.dpsgd4j.optimizers.engine.ClippedSum} (clipped
 * gradient sum, example count, clipping statistics) through a model adapter and its layer rules;
 * clipped sums merge associatively before noise is added once per logical batch.
 */
package io.github.dpsgd4j.optimizers.engine;
