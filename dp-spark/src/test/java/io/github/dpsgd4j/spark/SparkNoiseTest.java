package io.github.dpsgd4j.spark;

import io.github.dpsgd4j.core.noise.NoiseSource;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The noise on a Spark step's update has standard deviation sigma C / (q N) per coordinate: it is
 * added once on the driver, not once per partition (which would give sqrt(partitions) times that).
 *
 * <p>Two runs from the same parameters with the same seeded driver source (so the same step key and
 * sample), one with sigma and one with sigma = 0, under plain SGD with learning rate 1: their
 * parameter difference is exactly the noise divided by q N. With P = 771 coordinates the sample
 * standard deviation has a relative standard error of about 1/sqrt(2P) = 2.5%; the check allows 15%
 * (6 standard errors, false-failure rate below 1e-8) and the mean 6 standard errors. The twin builds
 * what per-partition noise would give (3 partitions: sqrt(3) = 1.73 times) and is rejected.
 */
class SparkNoiseTest {

    private static final double SIGMA = 2.0;
    private static final double C = 0.5;
    private static final double Q = 0.5;
    private static final int N = 60;
    private static final int PARTITIONS = 3;

    private static MultiLayerNetwork wideNet() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(9)
                .dataType(DataType.DOUBLE).updater(new Sgd(1.0)).list()
                .layer(new DenseLayer.Builder().nIn(SparkFixtures.INPUTS).nOut(64).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(64).nOut(SparkFixtures.CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        return net;
    }

    /** Why {@code noise} is not N(0, expectedSd^2) per coordinate, or null if it is consistent with it. */
    static String noiseCheckFailure(double[] noise, double expectedSd) {
        double mean = 0;
        for (double v : noise) {
            mean += v;
        }
        mean /= noise.length;
        double squares = 0;
        for (double v : noise) {
            squares += (v - mean) * (v - mean);
        }
        double sd = Math.sqrt(squares / (noise.length - 1));
        if (Math.abs(sd / expectedSd - 1) > 0.15) {
            return "standard deviation " + sd + ", expected " + expectedSd;
        }
        if (Math.abs(mean) > 6 * expectedSd / Math.sqrt(noise.length)) {
            return "mean " + mean + ", expected 0";
        }
        return null;
    }

    private static MultiLayerNetwork trainOneStep(MultiLayerNetwork net, DataSet data, double sigma) {
        try (SparkDpSgdTrainer trainer = SparkDpSgdTrainer.builder(SparkFixtures.spark(), net)
                .data(SparkFixtures.rdd(data, PARTITIONS)).l2NormClip(C).noiseMultiplier(sigma).sampleRate(Q)
                .noiseSource(NoiseSource.seeded(77)).build()) {
            trainer.step();
        }
        return net;
    }

    @Test
    void noiseOnTheUpdate_hasStandardDeviationSigmaCOverQN_notPerPartition() {
        DataSet data = SparkFixtures.data(N, DataType.DOUBLE, 8);
        MultiLayerNetwork start = wideNet();
        MultiLayerNetwork noisy = trainOneStep(start.clone(), data, SIGMA);
        MultiLayerNetwork clean = trainOneStep(start.clone(), data, 0);
        double[] noise = clean.params().sub(noisy.params()).toDoubleVector();
        double expected = SIGMA * C / (Q * N);
        String failure = noiseCheckFailure(noise, expected);
        assertTrue(failure == null, failure);
    }

    @Test
    void twin_noiseAddedPerPartition_isRejected() {
        int p = (int) wideNet().params().length();
        NoiseSource source = NoiseSource.seeded(3);
        double[] perPartition = new double[p];
        for (int k = 0; k < PARTITIONS; k++) {
            double[] draw = new double[p];
            source.fillGaussian(draw, 0, p, SIGMA * C);
            for (int i = 0; i < p; i++) {
                perPartition[i] += draw[i] / (Q * N);
            }
        }
        assertFalse(noiseCheckFailure(perPartition, SIGMA * C / (Q * N)) == null);
        double[] once = new double[p];
        source.fillGaussian(once, 0, p, SIGMA * C / (Q * N));
        assertTrue(noiseCheckFailure(once, SIGMA * C / (Q * N)) == null, "the check accepts correct noise");
    }
}
