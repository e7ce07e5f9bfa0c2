package io.github.dpsgd4j.optimizers;

import io.github.dpsgd4j.core.clip.NonFiniteNormPolicy;
import io.github.dpsgd4j.core.noise.NoiseSource;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Sgd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 13 item 16 (part): micro-batching and the ledger-before-the-step order, checked inside the trainer. */
class TrainerMutationTest {

    @Test
    void microBatchesThatDoNotDivideTheBatch_equalOnePass() {
        DataSet data = TestNetworks.gaussianData(1, 50, 5, 3, DataType.DOUBLE);
        MultiLayerNetwork onePass = TestNetworks.mlp(1, 5, 4, 3, new Sgd(0.1), DataType.DOUBLE);
        MultiLayerNetwork chunked = onePass.clone();
        train(onePass, 1000, data);
        train(chunked, 7, data);
        double diff = onePass.params().sub(chunked.params()).norm1Number().doubleValue();
        assertTrue(diff < 1e-9, "micro-batched differs from one pass by " + diff);
    }

    private static void train(MultiLayerNetwork net, int physicalBatchSize, DataSet data) {
        DpSgdTrainer.builder(net).l2NormClip(0.3).noiseMultiplier(0.7).sampleRate(0.6)
                .physicalBatchSize(physicalBatchSize).noiseSource(NoiseSource.seeded(9)).build().fit(data, 2);
    }

    @Test
    void stepThatThrowsMidway_failPolicy_leavesTheLedgerCountingIt() {
        DataSet data = TestNetworks.gaussianData(2, 20, 5, 2, DataType.DOUBLE);
        data.getFeatures().putScalar(13, 0, Double.NaN); // one example of 20 has a non-finite gradient
        MultiLayerNetwork net = TestNetworks.mlp(2, 5, 4, 2, new Sgd(0.1), DataType.DOUBLE);
        INDArray before = net.params().dup();
        DpSgdTrainer trainer = DpSgdTrainer.builder(net).l2NormClip(1.0).noiseMultiplier(1.0).sampleRate(1.0)
                .nonFiniteNormPolicy(NonFiniteNormPolicy.FAIL).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trainer.step(data));
        assertTrue(e.getMessage().contains("NonFiniteNormPolicy.FAIL"), e.getMessage());
        assertEquals(before, net.params(), "a failed step changes no parameter");
        assertEquals(1, trainer.ledger().totalSteps(), "a step is recorded before anything is computed");
        assertEquals(0, trainer.stepsTaken());
    }
}
