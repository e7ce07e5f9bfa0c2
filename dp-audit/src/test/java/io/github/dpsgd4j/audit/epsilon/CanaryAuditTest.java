package io.github.dpsgd4j.audit.epsilon;

import io.github.dpsgd4j.accounting.PrivacyBudget;
import io.github.dpsgd4j.audit.model.LogitMath;
import io.github.dpsgd4j.audit.model.Dl4jClassifier;
import io.github.dpsgd4j.audit.model.MlpRecipe;
import io.github.dpsgd4j.audit.model.NoiseMode;
import io.github.dpsgd4j.audit.model.TrainedModel;
import io.github.dpsgd4j.datasets.DigitsDataset;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The multi-run canary audit on digits (the reference run of attacks-and-audit.md section 6.2,
 * smaller): softmax regression on 150 digits plus, in half the runs, an out-of-distribution canary
 * (every pixel 1) with label 0; the statistic is minus the canary's loss. 60 runs per world, the
 * first 20 choose the threshold. Seeded.
 */
class CanaryAuditTest {

    private static final int RUNS = 60;
    private static final int SELECTION = 20;

    private static CanaryAudit.TrainingRun runs(MlpRecipe recipe) {
        DataSet base = DigitsDataset.load().subset(range(150));
        INDArray canaryX = Nd4j.ones(DataType.FLOAT, 1, DigitsDataset.FEATURES);
        INDArray canaryY = Nd4j.zeros(DataType.FLOAT, 1, DigitsDataset.CLASSES);
        canaryY.putScalar(0, 0, 1);
        DataSet withCanary = DataSet.merge(List.of(base, new DataSet(canaryX, canaryY)));
        return (in, run) -> {
            TrainedModel m = recipe.train(in ? withCanary : base, 1000L * run + (in ? 1 : 2));
            double[] logits = Dl4jClassifier.of(m.network()).logits(canaryX)[0];
            return -LogitMath.crossEntropy(logits, 0);
        };
    }

    @Test
    void nonPrivateTraining_reachesTheCeilingOfItsEvaluationRuns() {
        MlpRecipe recipe = MlpRecipe.builder(64, 10).hidden().epochs(20).batchSize(151).updater(new Adam(0.05)).build();
        CanaryAudit.Result r = CanaryAudit.run(runs(recipe), RUNS, SELECTION, 1e-5, 0.05);
        double ceiling = EpsilonLowerBound.fromCounts(0, RUNS - SELECTION, 0, RUNS - SELECTION, 1e-5, 0.05).epsilon();
        assertEquals(ceiling, r.bound().epsilon(), 1e-12, "perfect separation: " + r.bound());
        assertTrue(ceiling > 2.3);
    }

    @Test
    void privateTraining_neverExceedsTheAccountantsEpsilon() {
        PrivacyBudget budget = new PrivacyBudget(1.0, 1e-5);
        MlpRecipe recipe = MlpRecipe.builder(64, 10).hidden().epochs(5).batchSize(30)
                .privately(budget, 1.0, NoiseMode.SEEDED).build();
        CanaryAudit.Result r = CanaryAudit.run(runs(recipe), RUNS, SELECTION, 1e-5, 0.05);
        assertTrue(r.bound().epsilon() <= budget.epsilon(), r.bound().toString());
    }

    private static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return r;
    }
}
