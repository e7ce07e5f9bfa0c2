package io.github.dpsgd4j.optimizers;

import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.optimizers.engine.GradientEngine;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LocallyConnected1D;
import org.deeplearning4j.nn.conf.layers.LocallyConnected2D;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Locally connected layers in the trainer: with sigma = 0, C = infinity and q = 1 a private step through
 * {@code LocallyConnected1DLayerRule} / {@code LocallyConnected2DLayerRule} is DL4J's own {@code fit()}
 * step (Adam, three steps; two stacked layers, so the upper rule's input gradient counts), and the
 * configurations the rules leave out fall back to the exact loop, saying so.
 */
class LocallyConnectedTrainerTest {

    private static NeuralNetConfiguration.Builder base(WorkspaceMode workspaces) {
        return new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.DOUBLE).updater(new Adam(0.01))
                .trainingWorkspaceMode(workspaces).inferenceWorkspaceMode(workspaces);
    }

    private static DataSet data(long seed, long[] shape, int classes) {
        Random random = new Random(seed);
        INDArray x = Nd4j.create(DataType.DOUBLE, shape);
        for (long i = 0; i < x.length(); i++) {
            x.putScalar(i, random.nextGaussian());
        }
        INDArray y = Nd4j.zeros(DataType.DOUBLE, shape[0], classes);
        for (int i = 0; i < shape[0]; i++) {
            y.putScalar(i, random.nextInt(classes), 1.0);
        }
        return new DataSet(x, y);
    }

    private static void assertPrivateStepEqualsFit(MultiLayerConfiguration conf, DataSet data) {
        MultiLayerNetwork reference = new MultiLayerNetwork(conf);
        reference.init();
        MultiLayerNetwork privateNet = reference.clone();
        DpSgdTrainer trainer = DpSgdTrainer.builder(privateNet).l2NormClip(Double.POSITIVE_INFINITY)
                .noiseMultiplier(0).sampleRate(1.0).noiseSource(NoiseSource.seeded(3)).build();
        assertEquals(GradientEngine.Strategy.BOOKKEEPING, trainer.strategy(), trainer.warnings().toString());
        for (int step = 0; step < 3; step++) {
            reference.fit(data);
            trainer.step(data);
        }
        double scale = reference.params().norm2Number().doubleValue();
        double difference = reference.params().sub(privateNet.params()).norm2Number().doubleValue();
        assertTrue(difference <= 1e-10 * scale, "parameters differ from fit() by " + difference);
    }

    @Test
    void privateStep_withoutNoiseOrClipping_equalsFit_forLocallyConnected1D() {
        assertPrivateStepEqualsFit(base(WorkspaceMode.ENABLED).list()
                .layer(new LocallyConnected1D.Builder().nOut(4).kernelSize(3).stride(2)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.TANH).build())
                .layer(new LocallyConnected1D.Builder().nOut(3).kernelSize(2).hasBias(false)
                        .convolutionMode(ConvolutionMode.Strict).activation(Activation.RELU).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.recurrent(3, 9))
                .build(), data(1, new long[] {6, 3, 9}, 2));
    }

    @Test
    void privateStep_withoutNoiseOrClipping_equalsFit_forLocallyConnected2D_inBothFormats() {
        for (CNN2DFormat format : CNN2DFormat.values()) {
            long[] shape = format == CNN2DFormat.NCHW ? new long[] {5, 2, 5, 6} : new long[] {5, 5, 6, 2};
            assertPrivateStepEqualsFit(base(WorkspaceMode.NONE).list()
                    .layer(new LocallyConnected2D.Builder().nOut(3).kernelSize(2, 3).stride(1, 2).padding(1, 0)
                            .convolutionMode(ConvolutionMode.Truncate).activation(Activation.SIGMOID).build())
                    .layer(new LocallyConnected2D.Builder().nOut(2).kernelSize(2, 2)
                            .convolutionMode(ConvolutionMode.Same).activation(Activation.TANH).build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                            .activation(Activation.SOFTMAX).build())
                    .setInputType(InputType.convolutional(5, 6, 2, format))
                    .build(), data(2, shape, 2));
        }
    }

    @Test
    void layersTheRulesLeaveOut_runInTheExactLoop_withTheReason() {
        assertExactLoop(base(WorkspaceMode.NONE).list()
                .layer(new LocallyConnected1D.Builder().nOut(2).kernelSize(2).dilation(2)
                        .convolutionMode(ConvolutionMode.Truncate).activation(Activation.TANH).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.recurrent(2, 6))
                .build(), "dilation");
        assertExactLoop(base(WorkspaceMode.NONE).list()
                .layer(new LocallyConnected2D.Builder().nOut(2).kernelSize(2, 2)
                        .convolutionMode(ConvolutionMode.Truncate).activation(Activation.GELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(3, 3, 1))
                .build(), "GELU");
    }

    private static void assertExactLoop(MultiLayerConfiguration conf, String reason) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        DpSgdTrainer trainer = DpSgdTrainer.builder(net).l2NormClip(1.0).noiseMultiplier(1.0).sampleRate(0.5)
                .noiseSource(NoiseSource.seeded(3)).build();
        assertEquals(GradientEngine.Strategy.PER_EXAMPLE_LOOP, trainer.strategy());
        String warnings = trainer.warnings().toString();
        assertTrue(warnings.contains(reason), warnings);
    }
}
