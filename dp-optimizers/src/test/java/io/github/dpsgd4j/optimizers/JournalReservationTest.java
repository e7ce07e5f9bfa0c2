package io.github.dpsgd4j.optimizers;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Sgd;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 13 item 4: the journal's reservation size is an option, and a resume says what it counted and why. */
class JournalReservationTest {

    @Test
    void crashAfterTwoSteps_countsTheConfiguredReservation_andSaysWhy(@TempDir Path dir) throws IOException {
        MultiLayerNetwork net = TestNetworks.mlp(1, 5, 4, 2, new Sgd(0.1), DataType.FLOAT);
        DataSet data = TestNetworks.gaussianData(1, 40, 5, 2, DataType.FLOAT);
        Path run = dir.resolve("run");
        DpSgdTrainer trainer = DpSgdTrainer.builder(net).l2NormClip(1.0).noiseMultiplier(1.0).sampleRate(0.25)
                .checkpoints(run, 0).journalReservation(5).build();
        trainer.saveCheckpoint(run); // a checkpoint of 0 steps
        trainer.step(data);
        trainer.step(data); // then the process dies: no further checkpoint

        DpSgdTrainer resumed = DpSgdTrainer.resume(run);
        assertEquals(5, resumed.ledger().totalSteps(), "the whole reservation counts as spent");
        assertEquals(0, resumed.stepsTaken());
        assertEquals(1, resumed.warnings().size(), resumed.warnings().toString());
        String warning = resumed.warnings().get(0);
        assertTrue(warning.contains("counting the 5 steps") && warning.contains("5 at a time")
                && warning.contains("journalReservation"), warning);
    }

    @Test
    void reservationBelowOne_isRefused() {
        MultiLayerNetwork net = TestNetworks.mlp(2, 5, 4, 2, new Sgd(0.1), DataType.FLOAT);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DpSgdTrainer.builder(net).journalReservation(0));
        assertTrue(e.getMessage().contains("journalReservation"), e.getMessage());
    }

    @Test
    void runStoppedBeforeItsFirstCheckpoint_isExplained_andANewRunThereCountsItsSteps(@TempDir Path dir)
            throws IOException {
        DataSet data = TestNetworks.gaussianData(3, 40, 5, 2, DataType.FLOAT);
        Path run = dir.resolve("run");
        DpSgdTrainer first = DpSgdTrainer.builder(TestNetworks.mlp(3, 5, 4, 2, new Sgd(0.1), DataType.FLOAT))
                .l2NormClip(1.0).noiseMultiplier(1.0).sampleRate(0.25).checkpoints(run, 0).journalReservation(5)
                .build();
        first.step(data); // then the process dies before any checkpoint

        java.nio.file.NoSuchFileException e = assertThrows(java.nio.file.NoSuchFileException.class,
                () -> DpSgdTrainer.resume(run));
        assertTrue(e.getMessage().contains("privacy journal counts the steps") && e.getMessage().contains(run.toString()),
                e.getMessage());

        DpSgdTrainer again = DpSgdTrainer.builder(TestNetworks.mlp(4, 5, 4, 2, new Sgd(0.1), DataType.FLOAT))
                .l2NormClip(1.0).noiseMultiplier(1.0).sampleRate(0.25).checkpoints(run, 0).build();
        assertEquals(5, again.ledger().totalSteps(), "the journal's spent steps are counted");
        assertTrue(again.warnings().get(0).contains("no checkpoint"), again.warnings().toString());
        again.fit(data, 1);
        assertEquals(9, DpSgdTrainer.resume(run).ledger().totalSteps());
    }

    @Test
    void deletedJournal_isRefusedOnResume_ratherThanUnderCounting(@TempDir Path dir) throws IOException {
        DataSet data = TestNetworks.gaussianData(5, 40, 5, 2, DataType.FLOAT);
        Path run = dir.resolve("run");
        DpSgdTrainer trainer = DpSgdTrainer.builder(TestNetworks.mlp(5, 5, 4, 2, new Sgd(0.1), DataType.FLOAT))
                .l2NormClip(1.0).noiseMultiplier(1.0).sampleRate(0.25).checkpoints(run, 2).build();
        trainer.fit(data, 1);
        java.nio.file.Files.delete(run.resolve(CheckpointJournal.FILE_NAME));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> DpSgdTrainer.resume(run));
        assertTrue(e.getMessage().contains("lost its privacy journal") && e.getMessage().contains(run.toString()),
                e.getMessage());
    }

    @Test
    void checkpointSavedByHandElsewhere_resumesWithoutAJournal(@TempDir Path dir) throws IOException {
        DpSgdTrainer trainer = DpSgdTrainer.builder(TestNetworks.mlp(6, 5, 4, 2, new Sgd(0.1), DataType.FLOAT))
                .l2NormClip(1.0).noiseMultiplier(1.0).sampleRate(0.25).build();
        trainer.step(TestNetworks.gaussianData(6, 40, 5, 2, DataType.FLOAT));
        trainer.saveCheckpoint(dir);
        assertEquals(1, DpSgdTrainer.resume(dir).ledger().totalSteps());
    }
}
