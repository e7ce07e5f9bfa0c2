package io.github.dpsgd4j.optimizers;

import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.optimizers.engine.GradientEngine;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Convolution3D;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.Deconvolution3D;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
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
 * The trainer with the SeparableConvolution2D, Deconvolution2D, Convolution3D and Deconvolution3D rules:
 * with sigma = 0, C = infinity
 * and q = 1 a private step is DL4J's own {@code fit()} step (NCHW and NHWC, three updaters), and the
 * configurations the rules leave alone (where DL4J's own gradient does not follow its forward pass,
 * or libnd4j pads by a negative amount) run in the exact loop and say why.
 */
class ConvolutionVariantsTrainerTest {

    private static final List<IUpdater> UPDATERS = List.of(new Sgd(0.1), new Adam(0.01), new Nesterovs(0.05, 0.9));

    private static NeuralNetConfiguration.Builder base(IUpdater updater) {
        return new NeuralNetConfiguration.Builder().seed(12).dataType(DataType.DOUBLE).updater(updater);
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

    /** Separable 3x3 (Same, stride 2) -> Deconvolution 2x2 (stride 2) -> average pooling -> softmax. */
    private static MultiLayerNetwork network(IUpdater updater, CNN2DFormat format, int channels, boolean dropout) {
        Deconvolution2D.Builder deconvolution = new Deconvolution2D.Builder(2, 2).stride(2, 2).nOut(3)
                .activation(Activation.RELU).dataFormat(format);
        if (dropout) {
            deconvolution.dropOut(0.8);
        }
        MultiLayerNetwork net = new MultiLayerNetwork(base(updater).list()
                .layer(new SeparableConvolution2D.Builder(3, 3).stride(2, 2).depthMultiplier(2).nOut(4)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.TANH).dataFormat(format).build())
                .layer(deconvolution.build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(6, 6, channels, format))
                .build());
        net.init();
        return net;
    }

    @Test
    void separableAndDeconvolutionNetwork_withoutNoiseOrClipping_equalsFit() {
        for (CNN2DFormat format : CNN2DFormat.values()) {
            for (IUpdater updater : UPDATERS) {
                MultiLayerNetwork reference = network(updater, format, 2, false);
                MultiLayerNetwork privateNet = reference.clone();
                Random random = new Random(5);
                INDArray x = format == CNN2DFormat.NHWC ? gaussian(random, 10, 6, 6, 2) : gaussian(random, 10, 2, 6, 6);
                DataSet data = new DataSet(x, oneHot(random, 10, 3));
                DpSgdTrainer trainer = DpSgdTrainer.builder(privateNet).l2NormClip(Double.POSITIVE_INFINITY)
                        .noiseMultiplier(0).sampleRate(1.0).noiseSource(NoiseSource.seeded(3)).build();
                assertEquals(GradientEngine.Strategy.BOOKKEEPING, trainer.strategy(), trainer.warnings().toString());
                for (int step = 0; step < 3; step++) {
                    reference.fit(data);
                    trainer.step(data);
                }
                double difference = reference.params().sub(privateNet.params()).norm2Number().doubleValue()
                        / reference.params().norm2Number().doubleValue();
                assertTrue(difference <= 1e-12, format + ", " + updater + ": parameters differ from fit() by " + difference);
            }
        }
    }

    /** Convolution3D 2x2x2 (Same) -> Deconvolution3D 2x2x2 (stride 2) -> average pooling -> softmax. */
    private static MultiLayerNetwork volumeNetwork(IUpdater updater, boolean dropout) {
        Convolution3D.Builder first = new Convolution3D.Builder(2, 2, 2).nOut(4).convolutionMode(ConvolutionMode.Same)
                .activation(Activation.TANH);
        if (dropout) {
            first.dropOut(0.8);
        }
        MultiLayerNetwork net = new MultiLayerNetwork(base(updater).list()
                .layer(first.build())
                .layer(new Deconvolution3D.Builder().kernelSize(2, 2, 2).stride(2, 2, 2).nOut(3)
                        .activation(Activation.RELU).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional3D(4, 4, 4, 2))
                .build());
        net.init();
        return net;
    }

    @Test
    void volumeNetwork_withoutNoiseOrClipping_equalsFit() {
        for (IUpdater updater : UPDATERS) {
            MultiLayerNetwork reference = volumeNetwork(updater, false);
            MultiLayerNetwork privateNet = reference.clone();
            Random random = new Random(6);
            DataSet data = new DataSet(gaussian(random, 8, 2, 4, 4, 4), oneHot(random, 8, 3));
            DpSgdTrainer trainer = DpSgdTrainer.builder(privateNet).l2NormClip(Double.POSITIVE_INFINITY)
                    .noiseMultiplier(0).sampleRate(1.0).noiseSource(NoiseSource.seeded(3)).build();
            assertEquals(GradientEngine.Strategy.BOOKKEEPING, trainer.strategy(), trainer.warnings().toString());
            for (int step = 0; step < 3; step++) {
                reference.fit(data);
                trainer.step(data);
            }
            double difference = reference.params().sub(privateNet.params()).norm2Number().doubleValue()
                    / reference.params().norm2Number().doubleValue();
            assertTrue(difference <= 1e-12, updater + ": parameters differ from fit() by " + difference);
        }
    }

    @Test
    void unsupportedConfigurations_runInTheExactLoop_andSayWhy() {
        DpSgdTrainer oneChannel = DpSgdTrainer.builder(network(new Sgd(0.1), CNN2DFormat.NCHW, 1, false))
                .l2NormClip(1).noiseMultiplier(1).sampleRate(0.1).build();
        assertEquals(GradientEngine.Strategy.PER_EXAMPLE_LOOP, oneChannel.strategy());
        assertTrue(oneChannel.warnings().toString().contains("one input channel"), oneChannel.warnings().toString());

        DpSgdTrainer dropout = DpSgdTrainer.builder(network(new Sgd(0.1), CNN2DFormat.NCHW, 2, true))
                .l2NormClip(1).noiseMultiplier(1).sampleRate(0.1).build();
        assertEquals(GradientEngine.Strategy.PER_EXAMPLE_LOOP, dropout.strategy());
        assertTrue(dropout.warnings().toString().contains("input dropout"), dropout.warnings().toString());

        MultiLayerNetwork wideStride = new MultiLayerNetwork(base(new Sgd(0.1)).list()
                .layer(new Deconvolution2D.Builder(1, 1).stride(3, 3).nOut(2).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.TANH).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(3, 3, 2)).build());
        wideStride.init();
        DpSgdTrainer negativePadding = DpSgdTrainer.builder(wideStride).l2NormClip(1).noiseMultiplier(1)
                .sampleRate(0.1).build();
        assertEquals(GradientEngine.Strategy.PER_EXAMPLE_LOOP, negativePadding.strategy());
        assertTrue(negativePadding.warnings().toString().contains("negative amount"),
                negativePadding.warnings().toString());

        DpSgdTrainer volumeDropout = DpSgdTrainer.builder(volumeNetwork(new Sgd(0.1), true))
                .l2NormClip(1).noiseMultiplier(1).sampleRate(0.1).build();
        assertEquals(GradientEngine.Strategy.PER_EXAMPLE_LOOP, volumeDropout.strategy());
        assertTrue(volumeDropout.warnings().toString().contains("Convolution3D leaves out"),
                volumeDropout.warnings().toString());
    }
}
