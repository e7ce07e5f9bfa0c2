package io.github.dpsgd4j.examples.finetune;

import io.github.dpsgd4j.accounting.PrivacyBudget;

/** The documented fine-tuning comparisons (see docs/examples.md for how they were chosen). */
public final class FineTuneRecipes {

    /**
     * Fashion-MNIST at (epsilon = 1, delta = 1e-5): 5,000 public pretraining and 1,000 public
     * validation examples taken from the 60,000-image training file (seed 20261205), the other 54,000
     * private. Pretraining: Adam 3e-3, batch 128, 6 epochs. Both private runs: DP-SGD with expected
     * batch 1024 (q = 1024/54000), clip 1, Nesterov learning rate 0.5 with momentum 0.9. The head
     * (dense 64 + softmax; feature extractor frozen) is fine-tuned for 4 epochs (212 steps); the
     * whole graph from scratch costs about three times as much per epoch and gets 2 epochs (106
     * steps) so that the preset stays within 30 minutes on 2 busy cores.
     */
    public static final FineTuneRecipe FASHION_MNIST_EPS1 = new FineTuneRecipe(new PrivacyBudget(1.0, 1e-5),
            5_000, 1_000, 20261205L,
            new FineTuneRecipe.Pretraining(6, 128, 3e-3),
            new FineTuneRecipe.PrivatePhase(4, 1024, 1.0, 0.5),
            new FineTuneRecipe.PrivatePhase(2, 1024, 1.0, 0.5));

    private FineTuneRecipes() {
    }
}
