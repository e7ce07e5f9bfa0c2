package io.github.dpsgd4j.examples.finetune;

import io.github.dpsgd4j.examples.training.TrainingMonitor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.schedule.ISchedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pretraining's learning-rate decay: the first and last steps get the configured rates. */
class PretrainerTest {

    @Test
    void learningRate_fallsGeometrically_fromTheFirstToTheLastStep() {
        ISchedule rates = Pretrainer.learningRates(new FineTuneRecipe.Pretraining(10, 128, 3e-3, 3e-4), 710);
        assertEquals(3e-3, rates.valueAt(0, 0), 1e-15);
        assertEquals(3e-4, rates.valueAt(709, 9), 1e-12);
        assertEquals(3e-3 * Math.pow(0.1, 354.0 / 709), rates.valueAt(354, 4), 1e-12);
        for (int i = 1; i < 710; i++) {
            assertTrue(rates.valueAt(i, 0) < rates.valueAt(i - 1, 0));
        }
    }

    @Test
    void constantRate_staysConstant_evenForOneStep() {
        ISchedule rates = Pretrainer.learningRates(new FineTuneRecipe.Pretraining(3, 64, 2e-3), 100);
        assertEquals(2e-3, rates.valueAt(0, 0), 1e-15);
        assertEquals(2e-3, rates.valueAt(99, 2), 1e-15);
        assertEquals(1e-3, Pretrainer.learningRates(new FineTuneRecipe.Pretraining(1, 1, 1e-3, 1e-4), 1)
                .valueAt(0, 0), 1e-15);
    }

    @Test
    void pretraining_appliesTheDecayedRate_stepByStep() {
        // 60 examples, batch 20, 2 epochs: 6 steps from 1e-2 to 1e-3; after them DL4J's iteration count is 6.
        DataSet data = FineTuneRunTest.tinyData(60, 10).train().toDataSet();
        ComputationGraph graph = Pretrainer.pretrain(new FineTuneRecipe.Pretraining(2, 20, 1e-2, 1e-3), data, data,
                10, 4, 1, TrainingMonitor.NONE);
        assertEquals(6, graph.getIterationCount());
        double gamma = Math.pow(0.1, 1.0 / 5);
        assertEquals(1e-2 * Math.pow(gamma, 6), graph.getLearningRate(ResidualCnn.OUTPUT), 1e-9);
        assertEquals(4, graph.getLayer(ResidualCnn.STEM).getParam("b").length(), "4 channels as asked");
    }

    @Test
    void aFinalRateAboveTheFirst_isRefusedNamingBoth() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new FineTuneRecipe.Pretraining(2, 64, 1e-3, 2e-3));
        assertTrue(e.getMessage().contains("final learning rate") && e.getMessage().contains("0.001")
                && e.getMessage().contains("0.002"), e.getMessage());
    }
}
