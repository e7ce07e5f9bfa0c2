package io.github.dpsgd4j.optimizers.pergradient;

import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Random;

import static io.github.dpsgd4j.optimizers.pergradient.PerExampleGradientEquivalenceProperties.assertEquivalent;
import static io.github.dpsgd4j.optimizers.pergradient.PerExampleGradientEquivalenceProperties.base;
import static io.github.dpsgd4j.optimizers.pergradient.PerExampleGradientEquivalenceProperties.gaussian;
import static io.github.dpsgd4j.optimizers.pergradient.PerExampleGradientEquivalenceProperties.oneHot;

/**
 * {@link Convolution1DLayerRule} (and, at the end, {@link DepthwiseConvolution2DLayerRule}): per-example norms and the clipped sum equal batch-of-one DL4J
 * backprop (1e-5 relative, double) over kernel sizes, strides, padding, dilation, the three
 * convolution modes and both norm methods. Two stacked 1D convolutions, so the
 * rule's input gradient is checked too.
 */
class ConvolutionVariantsEquivalenceProperties {

    private static final ConvolutionMode[] MODES = {ConvolutionMode.Truncate, ConvolutionMode.Same, ConvolutionMode.Causal};

    @Property(tries = 30)
    void convolution1dNetwork_matchesBatchOfOne(@ForAll @IntRange(min = 1, max = 5) int batch,
                                                @ForAll @IntRange(min = 1, max = 3) int channels,
                                                @ForAll @IntRange(min = 6, max = 12) int length,
                                                @ForAll @IntRange(min = 1, max = 3) int kernel,
                                                @ForAll @IntRange(min = 1, max = 3) int stride,
                                                @ForAll @IntRange(min = 0, max = 2) int padding,
                                                @ForAll @IntRange(min = 1, max = 2) int dilation,
                                                @ForAll @IntRange(min = 0, max = 2) int mode,
                                                @ForAll @IntRange(min = 1, max = 4) int filters,
                                                @ForAll boolean hasBias,
                                                @ForAll ConvolutionLayerRule.NormMethod method,
                                                @ForAll long seed) {
        // Same mode with a stride beyond the dilated kernel is left to the exact loop (see the rule).
        Assume.that(!(MODES[mode] == ConvolutionMode.Same && (kernel - 1) * dilation + 1 < stride));
        RNNFormat format = RNNFormat.NCW;
        MultiLayerConfiguration conf = base(seed).convolutionMode(MODES[mode]).list()
                .layer(new Convolution1DLayer.Builder(kernel).stride(stride).padding(padding).dilation(dilation)
                        .nOut(filters).hasBias(hasBias).activation(Activation.TANH).rnnDataFormat(format).build())
                .layer(new Convolution1DLayer.Builder(2).nOut(filters + 1).activation(Activation.RELU)
                        .rnnDataFormat(format).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.recurrent(channels, length, format))
                .build();
        Random random = new Random(seed);
        INDArray x = gaussian(random, batch, channels, length);
        assertEquivalent(conf, x, oneHot(random, batch, 3), random,
                LayerRules.defaults().withFirst(new Convolution1DLayerRule(method)));
    }

    @Property(tries = 25)
    void depthwiseConvolutionNetwork_matchesBatchOfOne(@ForAll @IntRange(min = 1, max = 4) int batch,
                                                       @ForAll @IntRange(min = 2, max = 3) int channels,
                                                       @ForAll @IntRange(min = 5, max = 8) int size,
                                                       @ForAll @IntRange(min = 1, max = 3) int kernel,
                                                       @ForAll @IntRange(min = 1, max = 2) int stride,
                                                       @ForAll @IntRange(min = 0, max = 1) int padding,
                                                       @ForAll @IntRange(min = 1, max = 2) int dilation,
                                                       @ForAll @IntRange(min = 1, max = 3) int multiplier,
                                                       @ForAll boolean sameMode,
                                                       @ForAll boolean nhwc,
                                                       @ForAll boolean hasBias,
                                                       @ForAll long seed) {
        // (One channel with one filter is left out: DL4J's own depthwise_conv2d_bp fails on it.)
        CNN2DFormat format = nhwc ? CNN2DFormat.NHWC : CNN2DFormat.NCHW;
        MultiLayerConfiguration conf = base(seed).convolutionMode(sameMode ? ConvolutionMode.Same : ConvolutionMode.Truncate)
                .list()
                .layer(new DepthwiseConvolution2D.Builder(kernel, kernel).stride(stride, stride).padding(padding, padding)
                        .dilation(dilation, dilation).depthMultiplier(multiplier).nOut(channels * multiplier)
                        .hasBias(hasBias).activation(Activation.TANH).dataFormat(format).build())
                .layer(new DepthwiseConvolution2D.Builder(2, 2).depthMultiplier(2).nOut(channels * multiplier * 2)
                        .activation(Activation.RELU).dataFormat(format).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(size, size, channels, format))
                .build();
        Random random = new Random(seed);
        INDArray x = nhwc ? gaussian(random, batch, size, size, channels) : gaussian(random, batch, channels, size, size);
        assertEquivalent(conf, x, oneHot(random, batch, 3), random);
    }
}
