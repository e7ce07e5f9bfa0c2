package io.github.dpsgd4j.spark;

import io.github.dpsgd4j.core.noise.NoiseSource;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Sgd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The driver refuses noise its parameters cannot hold, and non-finite parameters after a noisy update. */
class SparkNumericsTest {

    private static SparkTrainerBuilder builder(MultiLayerNetwork net, DataSet data, double sigma) {
        return SparkDpSgdTrainer.builder(SparkFixtures.spark(), net).data(SparkFixtures.rdd(data, 2)).l2NormClip(1)
                .noiseMultiplier(sigma).sampleRate(0.5).noiseSource(NoiseSource.seeded(4));
    }

    @Test
    void noiseThatOverflowsFloatParameters_isRefusedAtBuild_andNothingIsSpent(@TempDir Path checkpoints)
            throws IOException {
        DataSet data = SparkFixtures.data(8, DataType.FLOAT, 10);
        MultiLayerNetwork net = SparkFixtures.mlp(DataType.FLOAT, new Sgd(0.1), 10);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> builder(net, data, 1e38).checkpoints(checkpoints, 0).build());
        assertTrue(e.getMessage().contains("1.0E38") && e.getMessage().contains("FLOAT")
                && e.getMessage().contains("noise multiplier below"), e.getMessage());
        try (var files = Files.list(checkpoints)) {
            assertEquals(0, files.count(), "no journal: nothing spent");
        }
    }

    @Test
    void noisyUpdateThatOverflowsTheParameters_isRefused_andTheStepStaysCounted() {
        DataSet data = SparkFixtures.data(8, DataType.FLOAT, 11);
        // sigma C = 1e36 fits a float, but a learning rate of 1e4 turns the noisy update into infinities.
        MultiLayerNetwork net = SparkFixtures.mlp(DataType.FLOAT, new Sgd(1e4), 11);
        try (SparkDpSgdTrainer trainer = builder(net, data, 1e36).build()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, trainer::step);
            assertTrue(e.getMessage().contains("NaN or infinite parameters"), e.getMessage());
            assertEquals(1, trainer.ledger().totalSteps(), "the step stays counted (erring toward privacy)");
            assertEquals(0, trainer.stepsTaken());
        }
    }
}
