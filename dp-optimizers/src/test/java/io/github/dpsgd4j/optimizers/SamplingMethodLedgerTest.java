package io.github.dpsgd4j.optimizers;

import io.github.dpsgd4j.core.noise.NoiseSource;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Sgd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ledger and the guarantee carry how batches were drawn (issue 13 item 17). */
class SamplingMethodLedgerTest {

    private static DpSgdTrainer trainer(SamplingMethod method) {
        MultiLayerNetwork net = TestNetworks.mlp(8, 5, 4, 2, new Sgd(0.1), DataType.FLOAT);
        return DpSgdTrainer.builder(net).l2NormClip(1).noiseMultiplier(1.0).sampleRate(0.25)
                .samplingMethod(method).noiseSource(NoiseSource.seeded(8)).build();
    }

    @Test
    void shuffledBatches_areRecordedInTheLedger_andTheGuaranteeIsNotCertified() {
        DataSet data = TestNetworks.gaussianData(8, 40, 5, 2, DataType.FLOAT);
        DpSgdTrainer trainer = trainer(SamplingMethod.SHUFFLED_FIXED_SIZE);
        trainer.fit(data, 1);
        assertEquals(io.github.dpsgd4j.accounting.SamplingMethod.SHUFFLED_FIXED_SIZE, trainer.ledger().samplingMethod());
        assertFalse(trainer.privacySpent(1e-5).isCertified());
        assertTrue(trainer.privacySpent(1e-5).toString().contains("NOT a certified bound"),
                trainer.privacySpent(1e-5).toString());
    }

    @Test
    void poissonBatches_giveACertifiedGuarantee() {
        DataSet data = TestNetworks.gaussianData(8, 40, 5, 2, DataType.FLOAT);
        DpSgdTrainer trainer = trainer(SamplingMethod.POISSON);
        trainer.fit(data, 1);
        assertEquals(io.github.dpsgd4j.accounting.SamplingMethod.POISSON, trainer.ledger().samplingMethod());
        assertTrue(trainer.privacySpent(1e-5).isCertified());
    }
}
