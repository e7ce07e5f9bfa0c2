package io.github.dpsgd4j.examples.training;

import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.examples.data.DatasetName;
import io.github.dpsgd4j.examples.data.LabeledImages;
import io.github.dpsgd4j.examples.data.TrainTestSplit;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The row-sequential LSTM: its inputs, its network and a short private run on the digits. */
class LstmModelTest {

    @Test
    void rowSequences_stepTHoldsRowTOfEachImage() throws Exception {
        LabeledImages images = DatasetName.DIGITS.load(null).test();
        DataSet sequences = PreparedData.rowSequences(images.toDataSet(), 8, 8);
        INDArray x = sequences.getFeatures();
        assertArrayEquals(new long[] {images.size(), 8, 8}, x.shape());
        for (int i : new int[] {0, 1, images.size() - 1}) {
            for (int row = 0; row < 8; row++) {
                for (int column = 0; column < 8; column++) {
                    assertEquals(images.pixel(i, row, column), x.getFloat(i, row, column), 0f,
                            "example " + i + ", step " + row + ", input " + column);
                }
            }
        }
        assertEquals(images.toDataSet().getLabels(), sequences.getLabels());
    }

    @Test
    void lstm_buildsForRowsOfItsImageSize() {
        MultiLayerNetwork large = ModelKind.LSTM.build(28, 28, 784, 10, 1.0, 1);
        int n = ModelKind.LSTM_UNITS;
        assertEquals(4L * (28 * n + n * n + n) + n * 10 + 10, large.numParams());
        assertArrayEquals(new long[] {3, 10}, large.output(Nd4j.rand(3, 28, 28)).shape());
        MultiLayerNetwork small = ModelKind.LSTM.build(8, 8, 64, 10, 1.0, 1);
        int m = ModelKind.LSTM_UNITS;
        assertEquals(4L * (8 * m + m * m + m) + m * 10 + 10, small.numParams());
        assertEquals("the lstm takes pixels: inputLength must equal imageHeight x imageWidth (64), got 65",
                assertThrows(IllegalArgumentException.class, () -> ModelKind.LSTM.build(8, 8, 65, 10, 1.0, 1))
                        .getMessage());
        assertEquals(ModelKind.LSTM, ModelKind.parse("LSTM"));
    }

    @Test
    void run_rejectsPixelsForTheLstmAndSequencesForTheMlp() throws Exception {
        TrainTestSplit digits = DatasetName.DIGITS.load(null);
        PreparedData pixels = PreparedData.prepare(DatasetName.DIGITS, digits, ModelKind.MLP, Optional.empty(), 1, null);
        PreparedData rows = PreparedData.prepare(DatasetName.DIGITS, digits, ModelKind.LSTM, Optional.empty(), 1, null);
        RunRecipe lstm = new RunRecipe(DatasetName.DIGITS, ModelKind.LSTM, 3, 1e-5, 1, 256, 1, 1.0);
        RunRecipe mlp = new RunRecipe(DatasetName.DIGITS, ModelKind.MLP, 3, 1e-5, 1, 256, 1, 0.1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TrainingRun(lstm, pixels, NoiseSource.seeded(1), 1, TrainingMonitor.NONE));
        assertTrue(e.getMessage().contains("(digits, pixels) does not fit the recipe (digits, lstm)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new TrainingRun(mlp, rows, NoiseSource.seeded(1), 1, TrainingMonitor.NONE));
        assertTrue(e.getMessage().contains("(digits, row sequences) does not fit the recipe (digits, mlp)"),
                e.getMessage());
    }

    @Test
    void lstm_trainsPrivatelyOnDigits() throws Exception {
        ModelKind model = ModelKind.LSTM;
        DatasetName digits = DatasetName.DIGITS;
        PreparedData rows = PreparedData.prepare(digits, digits.load(null), model, Optional.empty(), 1, null);
        // The default recipe but 5 epochs (30 steps), to keep the test short.
        RunRecipe recipe = new RunRecipe(digits, model, 3, 1e-5, 5, model.defaultBatchSize(digits), 1,
                model.defaultLearningRate());
        RunResult result = new TrainingRun(recipe, rows, NoiseSource.seeded(17), 7, TrainingMonitor.NONE).train(null);
        assertTrue(result.epsilon() <= 3.0 && result.epsilon() > 2.9, "spends the budget: " + result.epsilon());
        assertTrue(result.noiseMultiplier() > 0);
        // Chance is 10%; wrong clipped sums, or time steps mixed across examples, would stay far below
        // this (seeded: the figure is 0.70).
        assertTrue(result.testAccuracy() > 0.5, "test accuracy " + result.testAccuracy());
        assertEquals(recipe.epochs(), result.history().size());
    }
}
