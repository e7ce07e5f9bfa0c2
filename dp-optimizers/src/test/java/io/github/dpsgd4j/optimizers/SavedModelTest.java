package io.github.dpsgd4j.optimizers;

import io.github.dpsgd4j.core.noise.NoiseSource;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 13 item 1: a saved model carries its ledger, DL4J still reads it, and a continued trainer continues it. */
class SavedModelTest {

    private static DpSgdTrainer trainer(MultiLayerNetwork net) {
        return DpSgdTrainer.builder(net).l2NormClip(1.0).noiseMultiplier(1.0).sampleRate(0.1)
                .noiseSource(NoiseSource.seeded(4)).build();
    }

    @Test
    void savedModel_isReadByModelSerializer_andCarriesTheLedger(@TempDir Path dir) throws IOException {
        MultiLayerNetwork net = TestNetworks.mlp(1, 5, 4, 2, new Adam(0.01), DataType.FLOAT);
        DataSet data = TestNetworks.gaussianData(1, 60, 5, 2, DataType.FLOAT);
        DpSgdTrainer first = trainer(net);
        first.fit(data, 1);
        Path file = dir.resolve("model.zip");
        first.saveModel(file);

        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file.toFile(), true);
        assertEquals(net.params(), restored.params());
        assertEquals(net.getUpdater().getStateViewArray(), restored.getUpdater().getStateViewArray());
        assertEquals(first.ledger(), SavedModel.ledgerOf(file).orElseThrow());

        SavedModel saved = SavedModel.read(file);
        DpSgdTrainer continued = DpSgdTrainer.builder(saved).noiseMultiplier(1.0)
                .noiseSource(NoiseSource.seeded(5)).build();
        assertEquals(first.ledger(), continued.ledger());
        continued.fit(data, 1);
        assertEquals(2 * first.ledger().totalSteps(), continued.ledger().totalSteps());
        assertTrue(continued.privacySpent(1e-5).epsilon() > first.privacySpent(1e-5).epsilon());
        assertEquals(saved.config().l2NormClip(), continued.config().l2NormClip());
        assertEquals(saved.config().sampleRate(), continued.config().sampleRate());
    }

    @Test
    void write_withoutALedgerOrConfiguration_isRefusedNamingIt_andWritesNothing(@TempDir Path dir) {
        MultiLayerNetwork net = TestNetworks.mlp(3, 5, 4, 2, new Adam(0.01), DataType.FLOAT);
        DpSgdTrainer trained = trainer(net);
        Path file = dir.resolve("model.zip");
        IllegalArgumentException noLedger = assertThrows(IllegalArgumentException.class,
                () -> SavedModel.write(file, net, null, trained.config()));
        assertTrue(noLedger.getMessage().contains("ledger"), noLedger.getMessage());
        IllegalArgumentException noConfig = assertThrows(IllegalArgumentException.class,
                () -> SavedModel.write(file, net, trained.ledger(), null));
        assertTrue(noConfig.getMessage().contains("config"), noConfig.getMessage());
        assertTrue(Files.notExists(file));
    }

    @Test
    void plainModelSerializerZip_hasNoLedger_andIsRefusedForContinuing(@TempDir Path dir) throws IOException {
        MultiLayerNetwork net = TestNetworks.mlp(2, 5, 4, 2, new Adam(0.01), DataType.FLOAT);
        Path file = dir.resolve("plain.zip");
        ModelSerializer.writeModel(net, file.toFile(), true);
        assertTrue(SavedModel.ledgerOf(file).isEmpty());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SavedModel.read(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("under-report"), e.getMessage());
    }

    @Test
    void truncatedModelFile_isNamedAsDamaged(@TempDir Path dir) throws IOException {
        MultiLayerNetwork net = TestNetworks.mlp(3, 5, 4, 2, new Adam(0.01), DataType.FLOAT);
        Path file = dir.resolve("model.zip");
        trainer(net).saveModel(file);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        IOException e = assertThrows(IOException.class, () -> SavedModel.read(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("damaged"), e.getMessage());
    }
}
