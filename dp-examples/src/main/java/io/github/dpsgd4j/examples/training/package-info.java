/**
 * Training runs of the examples: the models ({@link io.github.dpsgd4j.examples.training.ModelKind}),
 * validated recipes and presets, data preparation (pixels or ScatterNet features), and
 * {@link io.github.dpsgd4j.examples.training.TrainingRun}, which trains a recipe with
 * {@link io.github.dpsgd4j.optimizers.DpSgdTrainer} (noise calibrated with the PLD accountant for
 * the recipe's target epsilon) and measures test accuracy and epsilon after every epoch.
 */
package io.github.dpsgd4j.examples.training;
