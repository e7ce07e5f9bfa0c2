package io.github.dpsgd4j.optimizers;

import io.github.dpsgd4j.accounting.PrivacyBudget;
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

/** Issue 13 items 6 and 8: values that overflow are refused before any privacy is spent, or raise an error. */
class OverflowRefusalTest {

    @Test
    void noiseThatOverflowsFloatParameters_isRefusedAtBuild() {
        MultiLayerNetwork net = TestNetworks.mlp(1, 5, 4, 2, new Sgd(0.1), DataType.FLOAT);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DpSgdTrainer.builder(net)
                .l2NormClip(1.0).noiseMultiplier(1e300).sampleRate(0.25).build());
        assertTrue(e.getMessage().contains("noiseMultiplier") && e.getMessage().contains("FLOAT"), e.getMessage());
    }

    @Test
    void noiseTimesClipThatOverflowsADouble_isRefusedAtBuild() {
        MultiLayerNetwork net = TestNetworks.mlp(1, 5, 4, 2, new Sgd(0.1), DataType.DOUBLE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DpSgdTrainer.builder(net)
                .l2NormClip(1e10).noiseMultiplier(1e300).sampleRate(0.25).build());
        assertTrue(e.getMessage().contains("noiseMultiplier 1.0E300"), e.getMessage());
    }

    @Test
    void stepThatLeavesNonFiniteParameters_throws_andIsCounted() {
        MultiLayerNetwork net = TestNetworks.mlp(2, 5, 4, 2, new Sgd(1e10), DataType.DOUBLE);
        DataSet data = TestNetworks.gaussianData(2, 40, 5, 2, DataType.DOUBLE);
        DpSgdTrainer trainer = DpSgdTrainer.builder(net).l2NormClip(1.0).noiseMultiplier(1e306).sampleRate(0.25)
                .build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> trainer.step(data));
        assertTrue(e.getMessage().contains("NaN or infinite parameters"), e.getMessage());
        assertEquals(1, trainer.ledger().totalSteps());
    }

    @Test
    void finiteParametersWhoseSumOverflows_areAccepted_andEveryNonFiniteValueIsRefused() {
        // The fast check sums the parameters: a float sum of 3e38 + 3e38 overflows although both are finite.
        NoiseAndNormalisation.requireFiniteParameters(Nd4j.createFromArray(3e38f, 3e38f, -1f));
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            INDArray params = Nd4j.createFromArray(1f, bad, 2f);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> NoiseAndNormalisation.requireFiniteParameters(params));
            assertTrue(e.getMessage().contains("NaN or infinite parameters"), e.getMessage());
        }
        // +inf and -inf together sum to NaN; a NaN among them too: refused either way.
        assertThrows(IllegalStateException.class, () -> NoiseAndNormalisation.requireFiniteParameters(
                Nd4j.createFromArray(Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY)));
    }

    @Test
    void sampleRateWhoseEpochDoesNotFit_isRefused() {
        MultiLayerNetwork net = TestNetworks.mlp(3, 5, 4, 2, new Sgd(0.1), DataType.FLOAT);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DpSgdTrainer.builder(net)
                .l2NormClip(1.0).noiseMultiplier(1.0).sampleRate(1e-300).build());
        assertTrue(e.getMessage().contains("sampleRate 1.0E-300"), e.getMessage());
        IllegalArgumentException target = assertThrows(IllegalArgumentException.class, () -> DpSgdTrainer
                .builder(net).l2NormClip(1.0).sampleRate(1e-300)
                .targetBudget(new PrivacyBudget(1.0, 1e-5), 1).build());
        assertTrue(target.getMessage().contains("sampleRate 1.0E-300"), target.getMessage());
    }

    @Test
    void planWithTooManySteps_isRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StepPlan.of(1e-9, 1e9).totalSteps());
        assertTrue(e.getMessage().contains("plan fewer epochs"), e.getMessage());
    }
}
