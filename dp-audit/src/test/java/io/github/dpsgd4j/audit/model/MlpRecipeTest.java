package io.github.dpsgd4j.audit.model;

import io.github.dpsgd4j.accounting.PrivacyBudget;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MlpRecipeTest {

    private static DataSet synthetic(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] x = new double[n][4];
        double[][] y = new double[n][3];
        for (int i = 0; i < n; i++) {
            int label = random.nextInt(3);
            for (int j = 0; j < 4; j++) {
                x[i][j] = random.nextGaussian() + (j == label ? 1 : 0);
            }
            y[i][label] = 1;
        }
        return new DataSet(Nd4j.create(x).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT),
                Nd4j.create(y).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT));
    }

    @Test
    void privateRecipe_spendsExactlyItsBudget_whenAnEpochIsNotOneExpectedPass() {
        // n = 150, expected batch 32: q = 0.2133, an epoch is ceil(1/q) = 5 steps (1.067 expected passes).
        PrivacyBudget budget = new PrivacyBudget(3.0, 1e-5);
        MlpRecipe recipe = MlpRecipe.builder(4, 3).hidden(8).epochs(3).batchSize(32)
                .privately(budget, 1.0, NoiseMode.SEEDED).build();
        TrainedModel model = recipe.train(synthetic(150, 1), 5);
        assertEquals(15, model.dpSgd().steps());
        assertTrue(model.epsilon() <= 3.0, "never above the budget: " + model.epsilon());
        assertEquals(3.0, model.epsilon(), 1e-3, "calibrated for the steps it takes, not for more");
    }

    @Test
    void secondModelOfTheSameSize_reusesTheCalibratedSigma_andStillSpendsItsBudget() {
        PrivacyBudget budget = new PrivacyBudget(2.0, 1e-5);
        MlpRecipe recipe = MlpRecipe.builder(4, 3).hidden(8).epochs(2).batchSize(32)
                .privately(budget, 1.0, NoiseMode.SEEDED).build();
        TrainedModel first = recipe.train(synthetic(150, 1), 5);
        TrainedModel second = recipe.train(synthetic(150, 2), 6);
        TrainedModel otherSize = recipe.train(synthetic(170, 3), 7);
        assertEquals(first.dpSgd().noiseMultiplier(), second.dpSgd().noiseMultiplier(), 0.0);
        assertEquals(first.epsilon(), second.epsilon(), 1e-12);
        assertEquals(first.dpSgd().steps(), second.dpSgd().steps());
        // The reused guarantee is what a trainer guarded by the budget reports for the same sigma, q and epochs.
        io.github.dpsgd4j.optimizers.DpSgdTrainer guarded = io.github.dpsgd4j.optimizers.DpSgdTrainer
                .builder(recipe.newNetwork(8)).l2NormClip(1.0).sampleRate(second.dpSgd().sampleRate())
                .noiseMultiplier(second.dpSgd().noiseMultiplier()).budget(budget)
                .noiseSource(io.github.dpsgd4j.core.noise.NoiseSource.seeded(9)).build();
        guarded.fit(synthetic(150, 4), 2);
        assertEquals(guarded.stepsTaken(), second.dpSgd().steps());
        assertEquals(guarded.privacySpent(budget.delta()).epsilon(), second.epsilon(), 1e-12);
        assertTrue(otherSize.dpSgd().noiseMultiplier() != first.dpSgd().noiseMultiplier(), "calibrated per size");
        assertTrue(otherSize.epsilon() <= 2.0 && otherSize.epsilon() > 2.0 - 1e-3, "" + otherSize.epsilon());
    }
}
