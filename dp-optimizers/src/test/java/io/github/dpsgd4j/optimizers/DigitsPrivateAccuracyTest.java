package io.github.dpsgd4j.optimizers;

import io.github.dpsgd4j.accounting.PrivacyBudget;
import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.datasets.DigitsDataset;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End to end on the bundled digits: a 64-64-10 tanh network trained with DP-SGD at epsilon = 3,
 * delta = 1e-5 (PLD-calibrated noise, Poisson sampling with expected batch 256, 30 epochs) reaches
 * at least 85% test accuracy on three different splits. Seeded noise keeps it deterministic; with
 * secure noise the same recipe scores 90-94% (the reference run in attacks-and-audit.md reports
 * 81% for an MLP at epsilon 3 with an RDP-calibrated sigma and batch 64).
 */
class DigitsPrivateAccuracyTest {

    @Test
    void privateMlp_reaches85PercentAtEpsilon3() {
        DigitsDataset digits = DigitsDataset.load();
        assertEquals(DigitsDataset.SIZE, digits.size());
        PrivacyBudget budget = new PrivacyBudget(3.0, 1e-5);
        for (int seed = 0; seed < 3; seed++) {
            DigitsDataset.Split split = digits.split(0.2, seed);
            MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(seed)
                    .updater(new Nesterovs(0.1, 0.9)).list()
                    .layer(new DenseLayer.Builder().nOut(64).activation(Activation.TANH).build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                            .activation(Activation.SOFTMAX).build())
                    .setInputType(InputType.feedForward(DigitsDataset.FEATURES)).build());
            net.init();
            DpSgdTrainer trainer = DpSgdTrainer.builder(net).l2NormClip(1.0)
                    .sampleRate(256.0 / split.train().numExamples()).targetBudget(budget, 30)
                    .noiseSource(NoiseSource.seeded(100 + seed)).build();
            trainer.fit(split.train(), 30);

            double epsilon = trainer.privacySpent(1e-5).epsilon();
            assertTrue(epsilon <= 3.0, "epsilon " + epsilon);
            Evaluation evaluation = new Evaluation(DigitsDataset.CLASSES);
            evaluation.eval(split.test().getLabels(), net.output(split.test().getFeatures()));
            assertTrue(evaluation.accuracy() >= 0.85, "split " + seed + ": test accuracy " + evaluation.accuracy());
        }
    }
}
