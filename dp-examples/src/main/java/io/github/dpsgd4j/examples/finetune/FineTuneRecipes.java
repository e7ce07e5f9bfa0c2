package io.github.dpsgd4j.examples.finetune;

import io.github.dpsgd4j.accounting.PrivacyBudget;

/** The documented fine-tuning comparisons (see docs/examples.md for how they were chosen). */
public final class FineTuneRecipes {

    /**
     * Fashion-MNIST at (epsilon = 1, delta = 1e-5): 9,000 public pretraining and 1,000 public
     * validation examples taken from the 60,000-image training file (seed 20261205), the other 50,000
     * private. Pretraining: Adam 3e-3, batch 128, 8 epochs. Fine-tuning: everything up to
     * {@link ResidualCnn#HIDDEN_LAYER} frozen, the output layer (650 parameters) trained with DP-SGD,
     * expected batch 1024 (q = 1024/50000), clip 1, Nesterov learning rate 1.0 with momentum 0.9,
     * 4 epochs (196 steps). From scratch: the whole graph, the same batch, clip and learning rate,
     * 4 epochs (196 steps). Pretraining epochs, fine-tuning part and learning rate and the
     * from-scratch epochs and learning rate were chosen on the public validation examples
     * (FineTuneTuning in the tests; the figures are in docs/examples.md), never on the test set.
     */
    public static final FineTuneRecipe FASHION_MNIST_EPS1 = new FineTuneRecipe(new PrivacyBudget(1.0, 1e-5),
            9_000, 1_000, 20261205L,
            new FineTuneRecipe.Pretraining(8, 128, 3e-3), ResidualCnn.HIDDEN_LAYER,
            new FineTuneRecipe.PrivatePhase(4, 1024, 1.0, 1.0),
            new FineTuneRecipe.PrivatePhase(4, 1024, 1.0, 1.0));

    private FineTuneRecipes() {
    }
}
