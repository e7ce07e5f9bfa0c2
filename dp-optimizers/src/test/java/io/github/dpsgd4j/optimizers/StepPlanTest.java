package io.github.dpsgd4j.optimizers;

import io.github.dpsgd4j.accounting.PrivacyBudget;
import io.github.dpsgd4j.core.noise.NoiseSource;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Sgd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StepPlanTest {

    @Test
    void stepsPerEpoch_isCeilOfOneOverQ_andPlansRoundUpWholeSteps() {
        assertEquals(7, StepPlan.stepsPerEpoch(0.15));
        assertEquals(21, StepPlan.of(0.15, 3).totalSteps());
        assertEquals(4, StepPlan.of(0.15, 0.5).totalSteps()); // ceil(3.5)
        // digits, q = 128/1797: 15 steps per epoch, 30 epochs are 450 steps
        assertEquals(450, StepPlan.of(128.0 / 1797, 30).totalSteps());
        assertEquals(1, StepPlan.stepsPerEpoch(1.0));
    }

    @Test
    void badPlans_areRefusedWithTheParameter() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> StepPlan.of(0, 1)).getMessage()
                .contains("sampleRate"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> StepPlan.of(0.1, Double.NaN)).getMessage()
                .contains("epochs"));
    }

    @Test
    void fitWithoutEpochs_runsThePlannedStepsAndSpendsTheTargetBudget() {
        MultiLayerNetwork net = TestNetworks.mlp(6, 5, 4, 2, new Sgd(0.1), DataType.FLOAT);
        DataSet data = TestNetworks.gaussianData(6, 100, 5, 2, DataType.FLOAT);
        PrivacyBudget budget = new PrivacyBudget(2.0, 1e-5);
        DpSgdTrainer trainer = DpSgdTrainer.builder(net).l2NormClip(1).sampleRate(0.15)
                .targetBudget(budget, 2.5).noiseSource(NoiseSource.seeded(1)).build();
        TrainingSummary summary = trainer.fit(data);
        assertEquals(StepPlan.of(0.15, 2.5).totalSteps(), summary.stepsTaken());
        assertEquals(18, summary.stepsTaken()); // 2.5 epochs of 7 steps
        assertEquals(3, summary.epochsCompleted()); // the last one partial
        double epsilon = trainer.privacySpent(1e-5).epsilon();
        assertTrue(epsilon <= 2.0 && epsilon > 1.99, "epsilon " + epsilon);
    }

    @Test
    void fitWithoutEpochs_withoutAPlan_saysWhatToDo() {
        MultiLayerNetwork net = TestNetworks.mlp(6, 5, 4, 2, new Sgd(0.1), DataType.FLOAT);
        DataSet data = TestNetworks.gaussianData(6, 20, 5, 2, DataType.FLOAT);
        DpSgdTrainer trainer = DpSgdTrainer.builder(net).l2NormClip(1).sampleRate(0.5).noiseMultiplier(1)
                .noiseSource(NoiseSource.seeded(1)).build();
        assertTrue(assertThrows(IllegalStateException.class, () -> trainer.fit(data)).getMessage()
                .contains("epochs"));
        DpSgdTrainer planned = DpSgdTrainer.builder(TestNetworks.mlp(6, 5, 4, 2, new Sgd(0.1), DataType.FLOAT))
                .l2NormClip(1).sampleRate(0.5).noiseMultiplier(1).epochs(3).noiseSource(NoiseSource.seeded(1)).build();
        assertEquals(6, planned.fit(data).stepsTaken());
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> DpSgdTrainer
                .builder(TestNetworks.mlp(6, 5, 4, 2, new Sgd(0.1), DataType.FLOAT)).l2NormClip(1).sampleRate(0.5)
                .targetBudget(new PrivacyBudget(1, 1e-5), 2).epochs(3).build());
        assertTrue(twice.getMessage().contains("epochs"));
    }
}
