package io.github.dpsgd4j.optimizers;

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
import java.nio.file.StandardCopyOption;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 13 item 5: a torn checkpoint is named as damaged, and the kept previous one resumes the run. */
class DamagedCheckpointTest {

    @Test
    void truncatedCheckpoint_isNamed_andThePreviousOneResumesWithEveryStepCounted(@TempDir Path dir)
            throws IOException {
        MultiLayerNetwork net = TestNetworks.mlp(1, 5, 4, 2, new Sgd(0.1), DataType.FLOAT);
        DataSet data = TestNetworks.gaussianData(1, 40, 5, 2, DataType.FLOAT);
        Path run = dir.resolve("run");
        DpSgdTrainer trainer = DpSgdTrainer.builder(net).l2NormClip(1.0).noiseMultiplier(1.0).sampleRate(0.25)
                .noiseSource(NoiseSource.seeded(1)).checkpoints(run, 3).build();
        trainer.fit(data, 1);
        Path file = run.resolve(DpSgdCheckpoint.FILE_NAME);
        Path previous = run.resolve(DpSgdCheckpoint.PREVIOUS_FILE_NAME);
        assertTrue(Files.isRegularFile(previous));
        assertTrue(DpSgdCheckpoint.read(run).stepsTaken() > 0);

        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
        IOException e = assertThrows(IOException.class, () -> DpSgdTrainer.resume(run));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("damaged")
                && e.getMessage().contains(previous.toString()), e.getMessage());

        Files.move(previous, file, StandardCopyOption.REPLACE_EXISTING);
        DpSgdTrainer resumed = DpSgdTrainer.resume(run);
        assertTrue(resumed.stepsTaken() < trainer.stepsTaken(), "the previous checkpoint is older");
        assertEquals(trainer.ledger().totalSteps(), resumed.ledger().totalSteps(), "the journal counts every step");
    }
}
