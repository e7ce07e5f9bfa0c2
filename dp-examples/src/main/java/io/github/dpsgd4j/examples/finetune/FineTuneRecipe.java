package io.github.dpsgd4j.examples.finetune;

import io.github.dpsgd4j.accounting.PrivacyBudget;
import io.github.dpsgd4j.common.Checks;

/**
 * Everything that defines a fine-tuning comparison, validated on construction.
 *
 * @param budget             the (epsilon, delta) each private run spends at most (both runs spend
 *                           the same budget on the same private examples)
 * @param publicExamples     examples of the training file used for non-private pretraining, {@code >= 1}
 * @param validationExamples further public examples of the training file, never trained on, used to
 *                           watch progress and choose settings (the test set is used only for the
 *                           final figures), {@code >= 1}
 * @param splitSeed          the published seed of the public/private split ({@link PublicPrivateSplit})
 * @param channels           filters of every convolution of the {@link ResidualCnn} (the same graph
 *                           in both runs), {@code >= 1}
 * @param pretraining        the non-private pretraining on the public examples
 * @param frozenUpTo         the last vertex of the part that fine-tuning freezes (with
 *                           {@code TransferLearning.GraphBuilder.setFeatureExtractor}):
 *                           {@link ResidualCnn#FEATURES} (the dense layer and the output layer are
 *                           fine-tuned) or {@link ResidualCnn#HIDDEN_LAYER} (only the output layer is)
 * @param fineTuning         DP-SGD of the layers above {@code frozenUpTo} on the private examples
 * @param fromScratch        DP-SGD of the whole graph, freshly initialised, on the private examples
 */
public record FineTuneRecipe(PrivacyBudget budget, int publicExamples, int validationExamples, long splitSeed,
                             int channels, Pretraining pretraining, String frozenUpTo, PrivatePhase fineTuning,
                             PrivatePhase fromScratch) {

    /** Nesterov momentum of the private phases. */
    public static final double MOMENTUM = 0.9;

    public FineTuneRecipe {
        Checks.notNull("budget", budget);
        Checks.positive("publicExamples", publicExamples);
        Checks.positive("validationExamples", validationExamples);
        Checks.positive("channels", channels);
        Checks.notNull("pretraining", pretraining);
        if (!ResidualCnn.FEATURES.equals(frozenUpTo) && !ResidualCnn.HIDDEN_LAYER.equals(frozenUpTo)) {
            throw new IllegalArgumentException("frozenUpTo must be \"" + ResidualCnn.FEATURES + "\" (fine-tune the "
                    + "dense and output layers) or \"" + ResidualCnn.HIDDEN_LAYER + "\" (fine-tune the output layer "
                    + "only), got " + (frozenUpTo == null ? "null" : "\"" + frozenUpTo + "\""));
        }
        Checks.notNull("fineTuning", fineTuning);
        Checks.notNull("fromScratch", fromScratch);
    }

    /**
     * Non-private training (Adam) on the public examples.
     *
     * @param epochs            passes over the public examples, {@code >= 1}
     * @param batchSize         minibatch size, {@code >= 1}
     * @param learningRate      Adam learning rate of the first step, finite and {@code > 0}
     * @param finalLearningRate Adam learning rate of the last step, finite, {@code > 0} and at most
     *                          {@code learningRate}; the rate falls geometrically (by the same factor
     *                          each step) from the first to the last; equal to {@code learningRate}
     *                          for a constant rate
     */
    public record Pretraining(int epochs, int batchSize, double learningRate, double finalLearningRate) {
        public Pretraining {
            Checks.positive("pretraining epochs", epochs);
            Checks.positive("pretraining batch size", batchSize);
            Checks.finitePositive("pretraining learning rate", learningRate);
            Checks.finitePositive("pretraining final learning rate", finalLearningRate);
            if (finalLearningRate > learningRate) {
                throw new IllegalArgumentException("pretraining final learning rate must be <= the learning rate "
                        + learningRate + " (the rate only decays), got " + finalLearningRate);
            }
        }

        /** Pretraining at a constant learning rate. */
        public Pretraining(int epochs, int batchSize, double learningRate) {
            this(epochs, batchSize, learningRate, learningRate);
        }
    }

    /**
     * One DP-SGD run on the private examples (Poisson sampling, Nesterov momentum
     * {@value FineTuneRecipe#MOMENTUM}, noise calibrated with the PLD accountant so that all epochs
     * spend the budget).
     *
     * @param epochs            epochs, {@code >= 1}; an epoch is {@code ceil(1/q)} steps
     * @param expectedBatchSize B, the expected Poisson batch ({@code q = B / private examples}), {@code >= 1}
     * @param l2NormClip        C, the per-example clipping norm, finite and {@code > 0}
     * @param learningRate      Nesterov learning rate (applied to the noisy sum divided by B), finite and {@code > 0}
     */
    public record PrivatePhase(int epochs, int expectedBatchSize, double l2NormClip, double learningRate) {
        public PrivatePhase {
            Checks.positive("epochs", epochs);
            Checks.positive("expected batch size", expectedBatchSize);
            Checks.finitePositive("clip", l2NormClip);
            Checks.finitePositive("learning rate", learningRate);
        }

        /** q = B / n for {@code privateExamples} examples; the batch must not exceed them. */
        public double sampleRate(int privateExamples) {
            Checks.positive("privateExamples", privateExamples);
            if (expectedBatchSize > privateExamples) {
                throw new IllegalArgumentException("expected batch size must be <= the private examples "
                        + privateExamples + ", got " + expectedBatchSize);
            }
            return (double) expectedBatchSize / privateExamples;
        }
    }
}
