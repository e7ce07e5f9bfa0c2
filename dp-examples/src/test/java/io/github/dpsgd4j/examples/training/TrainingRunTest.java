package io.github.dpsgd4j.examples.training;

import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.examples.data.DatasetName;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingRunTest {

    @Test
    void models_buildForTheirInputs() {
        MultiLayerNetwork mlp = ModelKind.MLP.build(8, 8, 64, 10, 0.1, 1);
        assertEquals(64 * 64 + 64 + 64 * 10 + 10, mlp.numParams());
        MultiLayerNetwork cnn = ModelKind.CNN.build(28, 28, 784, 10, 0.1, 1);
        assertEquals(10, cnn.output(Nd4j.rand(3, 784)).size(1));
        MultiLayerNetwork smallCnn = ModelKind.CNN.build(8, 8, 64, 10, 0.1, 1);
        assertEquals(3, smallCnn.output(Nd4j.rand(3, 64)).size(0));
        MultiLayerNetwork linear = ModelKind.SCATTERNET.build(28, 28, 3969, 10, 4, 1);
        assertEquals(3969 * 10 + 10, linear.numParams());
        assertEquals(0.0, linear.params().amaxNumber().doubleValue(), "a linear model starts at zero");
        assertThrows(IllegalArgumentException.class, () -> ModelKind.CNN.build(8, 8, 65, 10, 0.1, 1));
        assertThrows(IllegalArgumentException.class, () -> ModelKind.MLP.build(8, 8, 64, 1, 0.1, 1));
        assertEquals(ModelKind.SCATTERNET, ModelKind.parse(" ScatterNet "));
        assertEquals("unknown model 'vgg': expected one of mlp, cnn, scatternet, lstm",
                assertThrows(IllegalArgumentException.class, () -> ModelKind.parse("vgg")).getMessage());
    }

    @Test
    void recipe_validatesEveryField() {
        RunRecipe ok = new RunRecipe(DatasetName.DIGITS, ModelKind.MLP, 3, 1e-5, 30, 256, 1, 0.1);
        assertTrue(ok.isPrivate());
        assertTrue(ok.withTargetEpsilon(Double.POSITIVE_INFINITY).budget().isEmpty());
        assertEquals(256.0 / 1438, ok.sampleRate(1438));
        assertEquals("batch size must be <= the training set size 100 (digits), got 256",
                assertThrows(IllegalArgumentException.class, () -> ok.sampleRate(100)).getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new RunRecipe(DatasetName.DIGITS, ModelKind.MLP, 0, 1e-5, 30, 256, 1, 0.1));
        assertThrows(IllegalArgumentException.class,
                () -> new RunRecipe(DatasetName.DIGITS, ModelKind.MLP, Double.NaN, 1e-5, 30, 256, 1, 0.1));
        assertThrows(IllegalArgumentException.class,
                () -> new RunRecipe(DatasetName.DIGITS, ModelKind.MLP, 3, 1, 30, 256, 1, 0.1));
        assertThrows(IllegalArgumentException.class,
                () -> new RunRecipe(DatasetName.DIGITS, ModelKind.MLP, 3, 1e-5, 30, 256, Double.POSITIVE_INFINITY, 0.1));
        assertEquals(Preset.FASHION_MNIST_EPS3, Preset.parse("fashion-mnist-eps3"));
        assertEquals(3.0, Preset.FASHION_MNIST_EPS3.recipe().targetEpsilon());
        assertEquals(1e-5, Preset.FASHION_MNIST_EPS3.recipe().delta());
    }

    @Test
    void run_rejectsDataPreparedForAnotherModel() throws Exception {
        PreparedData pixels = PreparedData.prepare(DatasetName.DIGITS, DatasetName.DIGITS.load(null), ModelKind.MLP,
                Optional.empty(), 1, null);
        RunRecipe scatter = new RunRecipe(DatasetName.DIGITS, ModelKind.SCATTERNET, 3, 1e-5, 1, 256, 0.1, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TrainingRun(scatter, pixels, NoiseSource.seeded(1), 1, TrainingMonitor.NONE));
        assertTrue(e.getMessage().contains("does not fit the recipe"), e.getMessage());
    }
}
