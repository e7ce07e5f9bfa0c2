package io.github.dpsgd4j.optimizers.pergradient;

import io.github.dpsgd4j.core.clip.NonFiniteNormPolicy;
import io.github.dpsgd4j.optimizers.engine.GradientEngine;
import io.github.dpsgd4j.optimizers.model.BackwardPass;
import io.github.dpsgd4j.optimizers.model.Batch;
import io.github.dpsgd4j.optimizers.model.ModelAdapter;
import io.github.dpsgd4j.optimizers.model.MultiLayerNetworkAdapter;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Per-example norms and clipped sums of every layer rule equal those of batch-of-one DL4J backprop
 * (the brute force), to 1e-5 relative, over random shapes and clipping norms. Networks run in
 * double precision so that the comparison measures the method, not float rounding.
 */
class PerExampleGradientEquivalenceProperties {

    private static final double TOLERANCE = 1e-5;
    private static final Activation[] ACTIVATIONS = {Activation.TANH, Activation.RELU, Activation.SIGMOID,
            Activation.IDENTITY, Activation.LEAKYRELU, Activation.ELU};

    @Property(tries = 25)
    void denseNetwork_matchesBatchOfOne(@ForAll @IntRange(min = 1, max = 12) int batch,
                                        @ForAll @IntRange(min = 1, max = 9) int in,
                                        @ForAll @IntRange(min = 1, max = 9) int hidden,
                                        @ForAll @IntRange(min = 2, max = 6) int classes,
                                        @ForAll @IntRange(min = 0, max = 5) int activation,
                                        @ForAll boolean hasBias,
                                        @ForAll boolean workspaces,
                                        @ForAll long seed) {
        // The trainer runs its own passes without workspaces, so DL4J's default ENABLED mode works too.
        WorkspaceMode mode = workspaces ? WorkspaceMode.ENABLED : WorkspaceMode.NONE;
        MultiLayerConfiguration conf = base(seed).trainingWorkspaceMode(mode).inferenceWorkspaceMode(mode).list()
                .layer(new DenseLayer.Builder().nIn(in).nOut(hidden).hasBias(hasBias)
                        .activation(ACTIVATIONS[activation]).build())
                .layer(new DenseLayer.Builder().nOut(hidden + 1).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(classes)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(in))
                .build();
        Random random = new Random(seed);
        assertEquivalent(conf, gaussian(random, batch, in), oneHot(random, batch, classes), random);
    }

    @Property(tries = 30)
    void convolutionNetwork_matchesBatchOfOne(@ForAll @IntRange(min = 1, max = 5) int batch,
                                              @ForAll @IntRange(min = 1, max = 3) int channels,
                                              @ForAll @IntRange(min = 7, max = 10) int size,
                                              @ForAll @IntRange(min = 1, max = 3) int kernel,
                                              @ForAll @IntRange(min = 1, max = 2) int stride,
                                              @ForAll @IntRange(min = 0, max = 1) int padding,
                                              @ForAll @IntRange(min = 1, max = 5) int filters,
                                              @ForAll boolean sameMode,
                                              @ForAll boolean nhwc,
                                              @ForAll ConvolutionLayerRule.NormMethod method,
                                              @ForAll long seed) {
        CNN2DFormat format = nhwc ? CNN2DFormat.NHWC : CNN2DFormat.NCHW;
        MultiLayerConfiguration conf = base(seed).convolutionMode(sameMode ? ConvolutionMode.Same : ConvolutionMode.Truncate)
                .list()
                .layer(new ConvolutionLayer.Builder(kernel, kernel).stride(stride, stride).padding(padding, padding)
                        .nOut(filters).activation(Activation.RELU).dataFormat(format).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(1, 1).dataFormat(format).build())
                .layer(new ConvolutionLayer.Builder(2, 2).nOut(filters + 1).activation(Activation.TANH).dataFormat(format).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(size, size, channels, format))
                .build();
        Random random = new Random(seed);
        INDArray x = nhwc ? gaussian(random, batch, size, size, channels) : gaussian(random, batch, channels, size, size);
        assertEquivalent(conf, x, oneHot(random, batch, 3), random,
                LayerRules.defaults().withFirst(new ConvolutionLayerRule(method)));
    }

    @Property(tries = 15)
    void embeddingNetwork_matchesBatchOfOne(@ForAll @IntRange(min = 1, max = 10) int batch,
                                            @ForAll @IntRange(min = 2, max = 8) int vocabulary,
                                            @ForAll @IntRange(min = 1, max = 6) int width,
                                            @ForAll boolean hasBias,
                                            @ForAll long seed) {
        MultiLayerConfiguration conf = base(seed).list()
                .layer(new EmbeddingLayer.Builder().nIn(vocabulary).nOut(width).hasBias(hasBias)
                        .activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(width).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build();
        Random random = new Random(seed);
        INDArray tokens = Nd4j.zeros(DataType.DOUBLE, batch, 1);
        for (int i = 0; i < batch; i++) {
            tokens.putScalar(i, 0, random.nextInt(vocabulary));
        }
        assertEquivalent(conf, tokens, oneHot(random, batch, 3), random);
    }

    @Property(tries = 15)
    void embeddingSequenceNetwork_matchesBatchOfOne(@ForAll @IntRange(min = 1, max = 6) int batch,
                                                    @ForAll @IntRange(min = 2, max = 5) int vocabulary,
                                                    @ForAll @IntRange(min = 1, max = 6) int length,
                                                    @ForAll @IntRange(min = 1, max = 5) int width,
                                                    @ForAll boolean hasBias,
                                                    @ForAll long seed) {
        MultiLayerConfiguration conf = base(seed).list()
                .layer(new EmbeddingSequenceLayer.Builder().nIn(vocabulary).nOut(width).inputLength(length)
                        .hasBias(hasBias).activation(Activation.TANH).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(width).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build();
        Random random = new Random(seed);
        INDArray tokens = Nd4j.zeros(DataType.DOUBLE, batch, length);
        for (int i = 0; i < batch; i++) {
            for (int t = 0; t < length; t++) {
                tokens.putScalar(i, t, random.nextInt(vocabulary));
            }
        }
        assertEquivalent(conf, tokens, oneHot(random, batch, 3), random);
    }

    static NeuralNetConfiguration.Builder base(long seed) {
        return new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.DOUBLE).updater(new Sgd(0.1))
                .trainingWorkspaceMode(WorkspaceMode.NONE).inferenceWorkspaceMode(WorkspaceMode.NONE);
    }

    static void assertEquivalent(MultiLayerConfiguration conf, INDArray x, INDArray y, Random random) {
        assertEquivalent(conf, x, y, random, LayerRules.defaults());
    }

    static void assertEquivalent(MultiLayerConfiguration conf, INDArray x, INDArray y, Random random,
                                 LayerRules rules) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        net.initGradientsView();
        BruteForce reference = BruteForce.of(net, x, y);
        double[] expectedNorms = reference.squaredNorms();
        // A clipping norm around the median norm clips some examples and not others.
        double[] sorted = expectedNorms.clone();
        java.util.Arrays.sort(sorted);
        double clip = Math.sqrt(sorted[sorted.length / 2]) * (0.5 + random.nextDouble());
        double[] expectedFactors = new double[expectedNorms.length];
        for (int i = 0; i < expectedFactors.length; i++) {
            expectedFactors[i] = Math.min(1, clip / (Math.sqrt(expectedNorms[i]) + 1e-12));
        }
        INDArray expectedSum = reference.weightedSum(expectedFactors);

        MultiLayerNetworkAdapter adapter = new MultiLayerNetworkAdapter(net, rules);
        GradientEngine engine = new GradientEngine(adapter, clip, NonFiniteNormPolicy.FAIL);
        assertEquals(GradientEngine.Strategy.BOOKKEEPING, engine.strategy(), engine.layersWithoutRule().toString());
        double[][] seenNorms = {squaredNorms(adapter, Batch.single(x, y, null, null))};
        INDArray sum = engine.clippedSum(Batch.single(x, y, null, null)).sum();

        for (int i = 0; i < expectedNorms.length; i++) {
            assertEquals(expectedNorms[i], seenNorms[0][i], TOLERANCE * Math.max(expectedNorms[i], 1e-12),
                    "squared norm of example " + i);
        }
        assertClose(expectedSum, sum);
    }

    /** Every example's squared gradient norm as the layer rules compute it. */
    static double[] squaredNorms(ModelAdapter adapter, Batch batch) {
        try {
            BackwardPass pass = adapter.backward(batch, LayerWorkspaceMgr.noWorkspaces());
            double[] norms = new double[batch.size()];
            for (LayerBackward layer : pass.layers()) {
                layer.addSquaredNorms(norms);
            }
            return norms;
        } finally {
            adapter.clear();
        }
    }

    static void assertClose(INDArray expected, INDArray actual) {
        assertArrayEquals(expected.shape(), actual.shape());
        double scale = Math.max(expected.norm2Number().doubleValue(), 1e-12);
        double difference = expected.sub(actual).norm2Number().doubleValue();
        assertTrue(difference <= TOLERANCE * scale, "clipped sum differs by " + difference + " (scale " + scale + ")");
    }

    static INDArray gaussian(Random random, long... shape) {
        INDArray a = Nd4j.create(DataType.DOUBLE, shape);
        for (long i = 0; i < a.length(); i++) {
            a.putScalar(i, random.nextGaussian());
        }
        return a;
    }

    static INDArray oneHot(Random random, int batch, int classes) {
        INDArray y = Nd4j.zeros(DataType.DOUBLE, batch, classes);
        for (int i = 0; i < batch; i++) {
            y.putScalar(i, random.nextInt(classes), 1.0);
        }
        return y;
    }
}
