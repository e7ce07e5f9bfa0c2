package io.github.dpsgd4j.audit.inversion;

import io.github.dpsgd4j.audit.model.Dl4jClassifier;
import io.github.dpsgd4j.audit.model.OutputPolicy;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MiFaceTest {

    private static final int D = 64;
    private static final int K = 4;

    /** Random binary 8x8 templates, one per class. */
    private static double[][] templates(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] t = new double[K][D];
        for (int c = 0; c < K; c++) {
            for (int j = 0; j < D; j++) {
                t[c][j] = random.nextDouble() < 0.3 ? 1 : 0;
            }
        }
        return t;
    }

    /** Softmax regression whose weight column c is template c minus the mean template (logits = x . w_c). */
    private static MultiLayerNetwork plantedLinearModel(double[][] templates) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
                .updater(new Sgd(0.1)).list()
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(K)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(D)).build());
        net.init();
        INDArray w = net.getLayer(0).getParam("W");
        for (int j = 0; j < D; j++) {
            double mean = 0;
            for (int c = 0; c < K; c++) {
                mean += templates[c][j] / K;
            }
            for (int c = 0; c < K; c++) {
                w.putScalar(j, c, 2 * (templates[c][j] - mean));
            }
        }
        net.getLayer(0).getParam("b").assign(0);
        return net;
    }

    @Test
    void whiteBox_recoversPlantedClassTemplates() {
        double[][] t = templates(1);
        Dl4jClassifier model = Dl4jClassifier.of(plantedLinearModel(t));
        List<Reconstruction> r = MiFace.whiteBox(model, new int[] {0, 1, 2, 3}, D, null,
                MiFaceConfig.paper().withMaxIterations(500).withTargetConfidence(0.999));
        for (Reconstruction rec : r) {
            double own = ImageSimilarity.pearson(rec.image(), t[rec.label()]);
            assertTrue(own > 0.7, "class " + rec.label() + ": correlation " + own);
            for (int c = 0; c < K; c++) {
                if (c != rec.label()) {
                    assertTrue(ImageSimilarity.pearson(rec.image(), t[c]) < own, "class " + rec.label() + " vs " + c);
                }
            }
            assertTrue(rec.confidence() >= 0.999, "confidence " + rec.confidence());
            assertEquals(StopReason.TARGET_REACHED, rec.stopReason());
            for (double v : rec.image()) {
                assertTrue(v >= 0 && v <= 1, "projected to [0, 1]");
            }
        }
    }

    @Test
    void blackBoxWithFullConfidences_matchesWhiteBox_andRoundingStallsIt() {
        double[][] t = templates(2);
        Dl4jClassifier model = Dl4jClassifier.of(plantedLinearModel(t));
        MiFaceConfig config = MiFaceConfig.paper().withMaxIterations(300).withTargetConfidence(0.999);
        int[] classes = {0, 1, 2, 3};
        List<Reconstruction> white = MiFace.whiteBox(model, classes, D, null, config);
        List<Reconstruction> full = MiFace.blackBox(model, OutputPolicy.fullConfidences(), classes, D, null, config);
        List<Reconstruction> rounded = MiFace.blackBox(model, OutputPolicy.rounded(2), classes, D, null,
                config.withMaxIterations(300));
        for (int c = 0; c < K; c++) {
            assertTrue(ImageSimilarity.pearson(white.get(c).image(), full.get(c).image()) > 0.99, "class " + c);
            assertTrue(full.get(c).queries() > 2L * D, "black box counts its queries");
            // From x = 0 every class has p = 0.25, which rounds to 0.25 at every nearby point: the cost is flat.
            assertEquals(StopReason.NO_IMPROVEMENT, rounded.get(c).stopReason(), "class " + c);
        }
    }

    @Test
    void whiteBoxGradient_matchesFiniteDifferencesOnAnMlpBatch() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3)
                .dataType(DataType.DOUBLE).updater(new Sgd(0.1)).list()
                .layer(new DenseLayer.Builder().nOut(16).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(5)).build());
        net.init();
        Dl4jClassifier model = Dl4jClassifier.of(net);
        SplittableRandom random = new SplittableRandom(5);
        double[][] x = new double[3][5];
        for (double[] row : x) {
            for (int j = 0; j < 5; j++) {
                row[j] = random.nextDouble();
            }
        }
        int[] labels = {0, 2, 1};
        Dl4jClassifier.ConfidenceGradient g = model.confidenceGradient(
                Nd4j.createFromArray(x).castTo(DataType.DOUBLE), labels);
        double h = 1e-6;
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 5; j++) {
                double[][] plus = {x[i].clone()};
                double[][] minus = {x[i].clone()};
                plus[0][j] += h;
                minus[0][j] -= h;
                double up = model.probabilities(Nd4j.createFromArray(plus))[0][labels[i]];
                double down = model.probabilities(Nd4j.createFromArray(minus))[0][labels[i]];
                assertEquals((up - down) / (2 * h), g.gradients()[i][j], 1e-6, "row " + i + " pixel " + j);
            }
        }
        // The log-confidence gradient (half-image completion's): finite differences of log p.
        double[][] logGradient = model.logConfidenceGradient(Nd4j.createFromArray(x).castTo(DataType.DOUBLE), labels);
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 5; j++) {
                double[][] plus = {x[i].clone()};
                double[][] minus = {x[i].clone()};
                plus[0][j] += h;
                minus[0][j] -= h;
                double up = Math.log(model.probabilities(Nd4j.createFromArray(plus))[0][labels[i]]);
                double down = Math.log(model.probabilities(Nd4j.createFromArray(minus))[0][labels[i]]);
                assertEquals((up - down) / (2 * h), logGradient[i][j], 1e-6, "log, row " + i + " pixel " + j);
            }
        }
    }

    @Test
    void logits_softmaxEqualsNetworkOutput() {
        double[][] t = templates(3);
        MultiLayerNetwork net = plantedLinearModel(t);
        Dl4jClassifier model = Dl4jClassifier.of(net);
        INDArray x = Nd4j.createFromArray(new double[][] {t[0], t[1]});
        double[][] p = model.probabilities(x);
        double[][] expected = net.output(x).toDoubleMatrix();
        for (int i = 0; i < 2; i++) {
            for (int c = 0; c < K; c++) {
                assertEquals(expected[i][c], p[i][c], 1e-12);
            }
        }
    }
}
