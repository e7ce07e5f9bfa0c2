package io.github.dpsgd4j.examples.finetune;

import io.github.dpsgd4j.common.Checks;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The residual CNN of the fine-tuning preset, a {@code ComputationGraph} on 28 x 28 x 1 images
 * (pixels in [0, 1], given flat as 784 values):
 * <ol>
 *   <li>{@value #STEM}: convolution, c filters 5x5 stride 2 (Same: 14 x 14), tanh;</li>
 *   <li>{@value #BLOCK1}: residual block at 14 x 14 (3x3 convolution, tanh; 3x3 convolution; add
 *       the block input; tanh), then max-pool 2x2 stride 2 ({@value #POOL1}, 7 x 7);</li>
 *   <li>{@value #BLOCK2}: the same block at 7 x 7, then max-pool 2x2 stride 2 ({@value #FEATURES},
 *       4 x 4 x c features);</li>
 *   <li>head: dense {@value #HIDDEN} tanh ({@value #HIDDEN_LAYER}), softmax over the classes
 *       ({@value #OUTPUT}, cross-entropy).</li>
 * </ol>
 * The preset uses c = {@value #CHANNELS} (4 x 4 x 16 = 256 features, 26,794 parameters for 10
 * classes). Fine-tuning freezes everything up to {@value #FEATURES} (the convolutional feature extractor)
 * or up to {@value #HIDDEN_LAYER} (all but the output layer; what the preset does). No batch
 * normalisation: the from-scratch baseline trains every layer privately, and trainable batch
 * normalisation mixes examples. Tanh activations suit DP-SGD (Papernot et al.
 * 2021, "Tempered Sigmoid Activations for Deep Learning with Differential Privacy", AAAI).
 *
 * <p>Stateless and thread-safe.
 */
public final class ResidualCnn {

    /** Convolution filters of every convolution in the preset's graph. */
    public static final int CHANNELS = 16;
    /** Units of the dense hidden layer of the head. */
    public static final int HIDDEN = 64;
    /** Name of the stem convolution. */
    public static final String STEM = "stem";
    /** Prefix of the first residual block's vertices. */
    public static final String BLOCK1 = "block1";
    /** Name of the max-pool after the first block. */
    public static final String POOL1 = "pool1";
    /** Prefix of the second residual block's vertices. */
    public static final String BLOCK2 = "block2";
    /** Name of the last vertex of the feature extractor (a max-pool). */
    public static final String FEATURES = "features";
    /** Name of the head's dense hidden layer. */
    public static final String HIDDEN_LAYER = "hidden";
    /** Name of the output layer. */
    public static final String OUTPUT = "out";
    /** Image side in pixels. */
    public static final int SIDE = 28;

    private ResidualCnn() {
    }

    /**
     * A new, initialised graph whose convolutions have {@code channels} filters.
     *
     * @param classes  number of classes, {@code >= 2}
     * @param channels filters of every convolution, {@code >= 1}
     * @param updater  the updater of every layer (not null)
     * @param seed     seed of the weight initialisation (data-independent; not privacy noise)
     */
    public static ComputationGraph build(int classes, int channels, IUpdater updater, long seed) {
        ComputationGraph graph = new ComputationGraph(configuration(classes, channels, updater, seed));
        graph.init();
        return graph;
    }

    /** The configuration of {@link #build(int, int, IUpdater, long)}. */
    public static ComputationGraphConfiguration configuration(int classes, int channels, IUpdater updater,
                                                              long seed) {
        if (classes < 2) {
            throw new IllegalArgumentException("classes must be >= 2, got " + classes);
        }
        Checks.positive("channels", channels);
        Checks.notNull("updater", updater);
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder().seed(seed)
                .dataType(DataType.FLOAT).updater(updater).weightInit(WeightInit.XAVIER)
                .convolutionMode(ConvolutionMode.Same)
                .graphBuilder().addInputs("in")
                .addLayer(STEM, new ConvolutionLayer.Builder(5, 5).stride(2, 2).nOut(channels)
                        .activation(Activation.TANH).build(), "in");
        String block1 = residualBlock(g, BLOCK1, STEM, channels);
        g.addLayer(POOL1, maxPool(), block1);
        String block2 = residualBlock(g, BLOCK2, POOL1, channels);
        return g.addLayer(FEATURES, maxPool(), block2)
                .addLayer(HIDDEN_LAYER, new DenseLayer.Builder().nOut(HIDDEN).activation(Activation.TANH).build(),
                        FEATURES)
                .addLayer(OUTPUT, new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(classes)
                        .activation(Activation.SOFTMAX).build(), HIDDEN_LAYER)
                .setOutputs(OUTPUT).setInputTypes(InputType.convolutionalFlat(SIDE, SIDE, 1)).build();
    }

    /** conv 3x3 tanh, conv 3x3, add the input, tanh; returns the name of the block's last vertex. */
    private static String residualBlock(ComputationGraphConfiguration.GraphBuilder g, String name, String input,
                                        int channels) {
        g.addLayer(name + "-conv1", new ConvolutionLayer.Builder(3, 3).nOut(channels).activation(Activation.TANH)
                        .build(), input)
                .addLayer(name + "-conv2", new ConvolutionLayer.Builder(3, 3).nOut(channels)
                        .activation(Activation.IDENTITY).build(), name + "-conv1")
                .addVertex(name + "-add", new ElementWiseVertex(ElementWiseVertex.Op.Add), input, name + "-conv2")
                .addLayer(name, new ActivationLayer(Activation.TANH), name + "-add");
        return name;
    }

    private static SubsamplingLayer maxPool() {
        return new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build();
    }
}
