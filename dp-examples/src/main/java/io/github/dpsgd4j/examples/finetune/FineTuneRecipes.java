package io.github.dpsgd4j.examples.finetune;

import io.github.dpsgd4j.accounting.PrivacyBudget;

/** The documented fine-tuning comparisons (see docs/examples.md for how they were chosen). */
public final class FineTuneRecipes {

    /**
     * Fashion-MNIST at (epsilon = 1, delta = 1e-5): 5,000 public pretraining and 1,000 public
     * validation examples taken from the 60,000-image training file (seed 20261205), the other 54,000
     * private. Pretraining: Adam 2e-3, batch 64, 12 epochs. Fine-tuning of the head (dense 64 + softmax,
     * feature extractor frozen) and from-scratch training of the whole graph: DP-SGD with expected
     * batch 1024, clip 1, Nesterov momentum 0.9; settings per run below.
     */
    public static final FineTuneRecipe FASHION_MNIST_EPS1 = new FineTuneRecipe(new PrivacyBudget(1.0, 1e-5),
            5_000, 1_000, 20261205L,
            new FineTuneRecipe.Pretraining(12, 64, 2e-3),
            new FineTuneRecipe.PrivatePhase(5, 1024, 1.0, 1.0),
            new FineTuneRecipe.PrivatePhase(3, 1024, 1.0, 0.5));

    private FineTuneRecipes() {
    }
}
