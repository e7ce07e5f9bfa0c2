package io.github.dpsgd4j.optimizers.pergradient;

import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Random;

import static io.github.dpsgd4j.optimizers.pergradient.PerExampleGradientEquivalenceProperties.assertEquivalent;
import static io.github.dpsgd4j.optimizers.pergradient.PerExampleGradientEquivalenceProperties.base;
import static io.github.dpsgd4j.optimizers.pergradient.PerExampleGradientEquivalenceProperties.gaussian;
import static io.github.dpsgd4j.optimizers.pergradient.PerExampleGradientEquivalenceProperties.oneHot;

/**
 * {@link SeparableConvolution2DLayerRule} and {@link Deconvolution2DLayerRule}: per-example norms
 * and the clipped sum equal batch-of-one DL4J backprop (1e-5 relative, double) over kernel sizes,
 * strides, padding, dilation, convolution modes (Truncate, Same, Strict where the shape fits), NCHW
 * and NHWC, bias on and off and both norm methods. Two stacked layers of each kind, so the rules'
 * input gradients are checked too.
 */
class SeparableAndDeconvolutionEquivalenceProperties {

    private static final ConvolutionMode[] MODES = {ConvolutionMode.Truncate, ConvolutionMode.Same, ConvolutionMode.Strict};

    @Property(tries = 25)
    void separableConvolutionNetwork_matchesBatchOfOne(@ForAll @IntRange(min = 1, max = 4) int batch,
                                                       @ForAll @IntRange(min = 2, max = 3) int channels,
                                                       @ForAll @IntRange(min = 5, max = 8) int size,
                                                       @ForAll @IntRange(min = 1, max = 3) int kernel,
                                                       @ForAll @IntRange(min = 1, max = 2) int stride,
                                                       @ForAll @IntRange(min = 0, max = 1) int padding,
                                                       @ForAll @IntRange(min = 1, max = 2) int dilation,
                                                       @ForAll @IntRange(min = 1, max = 3) int multiplier,
                                                       @ForAll @IntRange(min = 2, max = 4) int filters,
                                                       @ForAll @IntRange(min = 0, max = 2) int mode,
                                                       @ForAll boolean nhwc,
                                                       @ForAll boolean hasBias,
                                                       @ForAll ConvolutionLayerRule.NormMethod method,
                                                       @ForAll long seed) {
        // (One input channel is left to the exact loop: DL4J's forward pass leaves out the pointwise weights there.)
        int extent = (kernel - 1) * dilation + 1;
        Assume.that(MODES[mode] != ConvolutionMode.Strict || (size + 2 * padding - extent) % stride == 0);
        // Same mode with a stride beyond the dilated kernel is left to the exact loop (see the rule).
        Assume.that(MODES[mode] != ConvolutionMode.Same || extent >= stride);
        // The second (2x2) layer needs a first output of at least 2 pixels.
        int out = MODES[mode] == ConvolutionMode.Same ? (size + stride - 1) / stride
                : (size + 2 * padding - extent) / stride + 1;
        Assume.that(out >= 2);
        CNN2DFormat format = nhwc ? CNN2DFormat.NHWC : CNN2DFormat.NCHW;
        MultiLayerConfiguration conf = base(seed).convolutionMode(MODES[mode]).list()
                .layer(new SeparableConvolution2D.Builder(kernel, kernel).stride(stride, stride)
                        .padding(padding, padding).dilation(dilation, dilation).depthMultiplier(multiplier)
                        .nOut(filters).hasBias(hasBias).activation(Activation.TANH).dataFormat(format).build())
                .layer(new SeparableConvolution2D.Builder(2, 2).depthMultiplier(2).nOut(filters + 1)
                        .convolutionMode(ConvolutionMode.Truncate).activation(Activation.RELU).dataFormat(format).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(size, size, channels, format))
                .build();
        Random random = new Random(seed);
        INDArray x = nhwc ? gaussian(random, batch, size, size, channels) : gaussian(random, batch, channels, size, size);
        assertEquivalent(conf, x, oneHot(random, batch, 3), random,
                LayerRules.defaults().withFirst(new SeparableConvolution2DLayerRule(method)));
    }

    @Property(tries = 25)
    void deconvolutionNetwork_matchesBatchOfOne(@ForAll @IntRange(min = 1, max = 4) int batch,
                                                @ForAll @IntRange(min = 1, max = 3) int channels,
                                                @ForAll @IntRange(min = 2, max = 4) int size,
                                                @ForAll @IntRange(min = 1, max = 3) int kernel,
                                                @ForAll @IntRange(min = 1, max = 3) int stride,
                                                @ForAll @IntRange(min = 0, max = 1) int padding,
                                                @ForAll @IntRange(min = 1, max = 2) int dilation,
                                                @ForAll @IntRange(min = 1, max = 4) int filters,
                                                @ForAll @IntRange(min = 0, max = 2) int mode,
                                                @ForAll boolean nhwc,
                                                @ForAll boolean hasBias,
                                                @ForAll ConvolutionLayerRule.NormMethod method,
                                                @ForAll long seed) {
        int extent = (kernel - 1) * dilation + 1;
        // Truncate/Strict: the output stride*(size-1) + extent - 2*padding must hold a pixel.
        Assume.that(MODES[mode] == ConvolutionMode.Same || stride * (size - 1) + extent - 2 * padding >= 1);
        // Same mode with a stride 2 or more beyond the dilated kernel (negative padding) is left to the exact loop.
        Assume.that(MODES[mode] != ConvolutionMode.Same || FeatureMaps.transposedSamePadding(kernel, stride, dilation) >= 0);
        CNN2DFormat format = nhwc ? CNN2DFormat.NHWC : CNN2DFormat.NCHW;
        MultiLayerConfiguration conf = base(seed).convolutionMode(MODES[mode]).list()
                .layer(new Deconvolution2D.Builder(kernel, kernel).stride(stride, stride).padding(padding, padding)
                        .dilation(dilation, dilation).nOut(filters).hasBias(hasBias).activation(Activation.TANH)
                        .dataFormat(format).build())
                .layer(new Deconvolution2D.Builder(2, 2).stride(2, 2).nOut(2).convolutionMode(ConvolutionMode.Truncate)
                        .activation(Activation.RELU).dataFormat(format).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(size, size, channels, format))
                .build();
        Random random = new Random(seed);
        INDArray x = nhwc ? gaussian(random, batch, size, size, channels) : gaussian(random, batch, channels, size, size);
        assertEquivalent(conf, x, oneHot(random, batch, 3), random,
                LayerRules.defaults().withFirst(new Deconvolution2DLayerRule(method)));
    }
}
