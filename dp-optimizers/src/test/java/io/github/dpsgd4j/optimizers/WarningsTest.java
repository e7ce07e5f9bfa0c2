package io.github.dpsgd4j.optimizers;

import io.github.dpsgd4j.accounting.PrivacyBudget;
import io.github.dpsgd4j.core.noise.NoiseSource;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Sgd;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 13 item 9: warnings and epsilon reach a user who has no logging backend. */
class WarningsTest {

    @Test
    void noNoise_warningIsInTheApiTheSummaryAndThePrintingListener() {
        MultiLayerNetwork net = TestNetworks.mlp(1, 5, 4, 2, new Sgd(0.1), DataType.FLOAT);
        DataSet data = TestNetworks.gaussianData(1, 40, 5, 2, DataType.FLOAT);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        DpSgdTrainer trainer = DpSgdTrainer.builder(net).l2NormClip(1.0).noiseMultiplier(0.0).sampleRate(0.25)
                .listener(PrivacyListener.printing(out)).build();
        List<String> warnings = trainer.warnings();
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("NOT differentially private"));
        TrainingSummary summary = trainer.fit(data, 1);
        assertEquals(warnings, summary.warnings());
        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("WARNING: noise multiplier is 0"), printed);
        assertTrue(printed.contains("epoch 0: 4 steps, epsilon = "), printed);
    }

    @Test
    void privateSecureRun_hasNoWarnings_andSeededNoiseIsWarned() {
        MultiLayerNetwork net = TestNetworks.mlp(2, 5, 4, 2, new Sgd(0.1), DataType.FLOAT);
        DpSgdTrainer secure = DpSgdTrainer.builder(net).l2NormClip(1.0).noiseMultiplier(1.0).sampleRate(0.25).build();
        assertEquals(List.of(), secure.warnings());
        DpSgdTrainer seeded = DpSgdTrainer.builder(net).l2NormClip(1.0).noiseMultiplier(1.0).sampleRate(0.25)
                .noiseSource(NoiseSource.seeded(1)).samplingMethod(SamplingMethod.SHUFFLED_FIXED_SIZE).build();
        assertEquals(2, seeded.warnings().size(), seeded.warnings().toString());
        assertTrue(seeded.warnings().get(0).contains("not a proven bound"));
        assertTrue(seeded.warnings().get(1).contains("NOT secure"));
    }

    @Test
    void printingListener_printsTheBudgetStop() {
        MultiLayerNetwork net = TestNetworks.mlp(3, 5, 4, 2, new Sgd(0.1), DataType.FLOAT);
        DataSet data = TestNetworks.gaussianData(3, 40, 5, 2, DataType.FLOAT);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DpSgdTrainer trainer = DpSgdTrainer.builder(net).l2NormClip(1.0).noiseMultiplier(0.6).sampleRate(0.25)
                .budget(new PrivacyBudget(1.0, 1e-5))
                .listener(PrivacyListener.printing(new PrintStream(bytes, true, StandardCharsets.UTF_8))).build();
        TrainingSummary summary = trainer.fit(data, 50);
        assertTrue(summary.stoppedByBudget());
        assertTrue(bytes.toString(StandardCharsets.UTF_8).contains(summary.budgetStop().orElseThrow()));
    }
}
