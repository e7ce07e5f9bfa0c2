package io.github.dpsgd4j.optimizers.pergradient;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PReLULayer;
import org.deeplearning4j.nn.conf.layers.misc.ElementWiseMultiplicationLayer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Random;

import static io.github.dpsgd4j.optimizers.pergradient.PerExampleGradientEquivalenceProperties.assertEquivalent;
import static io.github.dpsgd4j.optimizers.pergradient.PerExampleGradientEquivalenceProperties.base;
import static io.github.dpsgd4j.optimizers.pergradient.PerExampleGradientEquivalenceProperties.gaussian;
import static io.github.dpsgd4j.optimizers.pergradient.PerExampleGradientEquivalenceProperties.oneHot;

/**
 * {@link PReLULayerRule}, {@link ElementWiseMultiplicationLayerRule} and
 * {@link LayerNormDenseLayerRule}: per-example norms and the
 * clipped sum equal batch-of-one DL4J backprop (1e-5 relative, double), each layer between two
 * layers with parameters so that its input gradient is checked too.
 */
class OtherLayersEquivalenceProperties {

    @Property(tries = 20)
    void preluAfterDense_matchesBatchOfOne(@ForAll @IntRange(min = 1, max = 8) int batch,
                                          @ForAll @IntRange(min = 1, max = 6) int in,
                                          @ForAll @IntRange(min = 1, max = 6) int hidden,
                                          @ForAll long seed) {
        MultiLayerConfiguration conf = base(seed).list()
                .layer(new DenseLayer.Builder().nOut(hidden).activation(Activation.IDENTITY).build())
                .layer(new PReLULayer.Builder().inputShape(hidden).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(in))
                .build();
        Random random = new Random(seed);
        assertEquivalent(conf, gaussian(random, batch, in), oneHot(random, batch, 3), random);
    }

    @Property(tries = 20)
    void preluOnFeatureMaps_withSharedAxes_matchesBatchOfOne(@ForAll @IntRange(min = 1, max = 5) int batch,
                                                             @ForAll @IntRange(min = 1, max = 3) int channels,
                                                             @ForAll @IntRange(min = 3, max = 5) int size,
                                                             @ForAll @IntRange(min = 0, max = 2) int sharing,
                                                             @ForAll long seed) {
        long[][] shared = {{}, {2, 3}, {1}};
        PReLULayer.Builder prelu = new PReLULayer.Builder().inputShape(channels + 1, size - 1, size - 1);
        if (shared[sharing].length > 0) {
            prelu.sharedAxes(shared[sharing]);
        }
        MultiLayerConfiguration conf = base(seed).list()
                .layer(new ConvolutionLayer.Builder(2, 2).nOut(channels + 1).activation(Activation.IDENTITY).build())
                .layer(prelu.build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(size, size, channels))
                .build();
        Random random = new Random(seed);
        assertEquivalent(conf, gaussian(random, batch, channels, size, size), oneHot(random, batch, 3), random);
    }

    @Property(tries = 20)
    void elementWiseMultiplication_matchesBatchOfOne(@ForAll @IntRange(min = 1, max = 8) int batch,
                                                     @ForAll @IntRange(min = 1, max = 6) int in,
                                                     @ForAll @IntRange(min = 1, max = 6) int hidden,
                                                     @ForAll long seed) {
        MultiLayerConfiguration conf = base(seed).list()
                .layer(new DenseLayer.Builder().nOut(hidden).activation(Activation.TANH).build())
                .layer(new ElementWiseMultiplicationLayer.Builder().nIn(hidden).nOut(hidden)
                        .activation(Activation.SIGMOID).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(in))
                .build();
        Random random = new Random(seed);
        assertEquivalent(conf, gaussian(random, batch, in), oneHot(random, batch, 3), random);
    }

    @Property(tries = 20)
    void layerNormalisedDense_matchesBatchOfOne(@ForAll @IntRange(min = 1, max = 8) int batch,
                                                @ForAll @IntRange(min = 1, max = 6) int in,
                                                @ForAll @IntRange(min = 2, max = 6) int hidden,
                                                @ForAll boolean hasBias,
                                                @ForAll @IntRange(min = 0, max = 2) int activation,
                                                @ForAll long seed) {
        Activation[] activations = {Activation.TANH, Activation.RELU, Activation.IDENTITY};
        MultiLayerConfiguration conf = base(seed).list()
                .layer(new DenseLayer.Builder().nOut(hidden).hasLayerNorm(true).hasBias(hasBias)
                        .activation(activations[activation]).build())
                .layer(new DenseLayer.Builder().nOut(hidden).hasLayerNorm(true).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(in))
                .build();
        Random random = new Random(seed);
        assertEquivalent(conf, gaussian(random, batch, in), oneHot(random, batch, 3), random);
    }
}
