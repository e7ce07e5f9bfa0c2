package io.github.dpsgd4j.optimizers;

import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.optimizers.engine.GradientEngine;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PReLULayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.misc.ElementWiseMultiplicationLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With sigma = 0, C = infinity and q = 1, a private step through the issue-11 layer rules
 * (Convolution1DLayer, DepthwiseConvolution2D, PReLU, ElementWiseMultiplication, layer-normalised
 * DenseLayer) is DL4J's own {@code fit()} step, in a MultiLayerNetwork and in a ComputationGraph.
 */
class LayerVariantsFitEquivalenceTest {

    private static final List<IUpdater> UPDATERS = List.of(new Sgd(0.1), new Adam(0.01), new Nesterovs(0.05, 0.9));

    private static NeuralNetConfiguration.Builder base(IUpdater updater) {
        return new NeuralNetConfiguration.Builder().seed(11).dataType(DataType.DOUBLE).updater(updater);
    }

    private static INDArray gaussian(Random random, long... shape) {
        INDArray a = Nd4j.create(DataType.DOUBLE, shape);
        for (long i = 0; i < a.length(); i++) {
            a.putScalar(i, random.nextGaussian());
        }
        return a;
    }

    private static INDArray oneHot(Random random, int batch, int classes) {
        INDArray y = Nd4j.zeros(DataType.DOUBLE, batch, classes);
        for (int i = 0; i < batch; i++) {
            y.putScalar(i, random.nextInt(classes), 1);
        }
        return y;
    }

    private static double relativeDifference(INDArray expected, INDArray actual) {
        return expected.sub(actual).norm2Number().doubleValue() / expected.norm2Number().doubleValue();
    }

    @Test
    void textConvolutionNetwork_withoutNoiseOrClipping_equalsFit() {
        for (IUpdater updater : UPDATERS) {
            MultiLayerNetwork reference = new MultiLayerNetwork(base(updater).convolutionMode(ConvolutionMode.Causal).list()
                    .layer(new EmbeddingSequenceLayer.Builder().nIn(7).nOut(4).inputLength(9).build())
                    .layer(new Convolution1DLayer.Builder(3).dilation(2).nIn(4).nOut(5).activation(Activation.IDENTITY).build())
                    .layer(new PReLULayer.Builder().inputShape(5, 9).build())
                    .layer(new GlobalPoolingLayer.Builder(PoolingType.MAX).build())
                    .layer(new DenseLayer.Builder().nIn(5).nOut(6).hasLayerNorm(true).activation(Activation.TANH).build())
                    .layer(new ElementWiseMultiplicationLayer.Builder().nIn(6).nOut(6).activation(Activation.SIGMOID).build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(3)
                            .activation(Activation.SOFTMAX).build())
                    .build());
            reference.init();
            MultiLayerNetwork privateNet = reference.clone();
            Random random = new Random(3);
            INDArray tokens = Nd4j.zeros(DataType.DOUBLE, 12, 9);
            for (long i = 0; i < tokens.length(); i++) {
                tokens.putScalar(i, random.nextInt(7));
            }
            DataSet data = new DataSet(tokens, oneHot(random, 12, 3));
            DpSgdTrainer trainer = DpSgdTrainer.builder(privateNet).l2NormClip(Double.POSITIVE_INFINITY)
                    .noiseMultiplier(0).sampleRate(1.0).noiseSource(NoiseSource.seeded(3)).build();
            assertEquals(GradientEngine.Strategy.BOOKKEEPING, trainer.strategy());
            for (int step = 0; step < 3; step++) {
                reference.fit(data);
                trainer.step(data);
            }
            double difference = relativeDifference(reference.params(), privateNet.params());
            assertTrue(difference <= 1e-12, updater + ": parameters differ from fit() by " + difference);
        }
    }

    @Test
    void depthwiseGraph_withoutNoiseOrClipping_equalsGraphFit() {
        for (IUpdater updater : UPDATERS) {
            ComputationGraph reference = new ComputationGraph(base(updater).graphBuilder().addInputs("image")
                    .addLayer("dw", new DepthwiseConvolution2D.Builder(2, 2).depthMultiplier(2).nOut(6)
                            .convolutionMode(ConvolutionMode.Same).activation(Activation.RELU).build(), "image")
                    .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "dw")
                    .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                            .activation(Activation.SOFTMAX).build(), "pool")
                    .setOutputs("out").setInputTypes(InputType.convolutional(5, 5, 3)).build());
            reference.init();
            ComputationGraph privateGraph = reference.clone();
            Random random = new Random(4);
            MultiDataSet data = new MultiDataSet(new INDArray[] {gaussian(random, 10, 3, 5, 5)},
                    new INDArray[] {oneHot(random, 10, 2)});
            DpSgdTrainer trainer = DpSgdTrainer.builder(privateGraph).l2NormClip(Double.POSITIVE_INFINITY)
                    .noiseMultiplier(0).sampleRate(1.0).noiseSource(NoiseSource.seeded(3)).build();
            assertEquals(GradientEngine.Strategy.BOOKKEEPING, trainer.strategy());
            for (int step = 0; step < 3; step++) {
                reference.fit(data);
                trainer.step(data);
            }
            double difference = relativeDifference(reference.params(), privateGraph.params());
            assertTrue(difference <= 1e-12, updater + ": parameters differ from fit() by " + difference);
        }
    }
}
