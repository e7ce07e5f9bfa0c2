package io.github.dpsgd4j.optimizers;

import io.github.dpsgd4j.core.noise.NoiseSource;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Masks are 0/1 (present or absent). DL4J also accepts fractional masks as weights, which the fast
 * per-example rules do not reproduce (they differed from DL4J by 1-7% of the update): such data is
 * refused before the step is counted, with the value and what to do.
 */
class FractionalMaskRefusalTest {

    @Test
    void fractionalLabelMask_isRefusedBeforeAnythingIsSpent() {
        DataSet plain = TestNetworks.gaussianData(3, 8, 5, 3, DataType.DOUBLE);
        INDArray labelsMask = Nd4j.ones(DataType.DOUBLE, 8, 1);
        labelsMask.putScalar(5, 0, 0.5);
        DataSet data = new DataSet(plain.getFeatures(), plain.getLabels(), null, labelsMask);
        MultiLayerNetwork net = TestNetworks.mlp(1, 5, 6, 3, new Sgd(0.1), DataType.DOUBLE);
        INDArray before = net.params().dup();
        DpSgdTrainer trainer = DpSgdTrainer.builder(net).l2NormClip(1).noiseMultiplier(1).sampleRate(1.0)
                .noiseSource(NoiseSource.seeded(1)).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trainer.step(data));
        assertTrue(e.getMessage().contains("labels mask") && e.getMessage().contains("0.5")
                && e.getMessage().contains("0/1"), e.getMessage());
        assertEquals(0, trainer.stepsTaken());
        assertEquals(0, trainer.ledger().totalSteps());
        assertEquals(before, net.params());
    }

    @Test
    void zeroOneMasks_areAccepted() {
        DataSet plain = TestNetworks.gaussianData(3, 8, 5, 3, DataType.DOUBLE);
        INDArray labelsMask = Nd4j.ones(DataType.DOUBLE, 8, 1);
        labelsMask.putScalar(5, 0, 0.0);
        DataSet data = new DataSet(plain.getFeatures(), plain.getLabels(), null, labelsMask);
        MultiLayerNetwork net = TestNetworks.mlp(1, 5, 6, 3, new Sgd(0.1), DataType.DOUBLE);
        DpSgdTrainer trainer = DpSgdTrainer.builder(net).l2NormClip(1).noiseMultiplier(1).sampleRate(1.0)
                .noiseSource(NoiseSource.seeded(1)).build();
        trainer.step(data);
        assertEquals(1, trainer.stepsTaken());
    }
}
