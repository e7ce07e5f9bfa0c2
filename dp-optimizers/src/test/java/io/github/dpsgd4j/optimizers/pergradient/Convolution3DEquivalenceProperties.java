package io.github.dpsgd4j.optimizers.pergradient;

import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Convolution3D;
import org.deeplearning4j.nn.conf.layers.Deconvolution3D;
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
 * {@link Convolution3DLayerRule} and {@link Deconvolution3DLayerRule}: per-example norms and the
 * clipped sum equal batch-of-one DL4J backprop (1e-5 relative, double) over kernel sizes, strides,
 * padding, dilation, convolution modes (Truncate, Same, Strict where the shape fits), NCDHW and
 * NDHWC, bias on and off and both norm methods. Two stacked layers of each kind, so the rules' input
 * gradients are checked too.
 */
class Convolution3DEquivalenceProperties {

    private static final ConvolutionMode[] MODES = {ConvolutionMode.Truncate, ConvolutionMode.Same, ConvolutionMode.Strict};

    @Property(tries = 20)
    void convolution3dNetwork_matchesBatchOfOne(@ForAll @IntRange(min = 1, max = 3) int batch,
                                                @ForAll @IntRange(min = 1, max = 2) int channels,
                                                @ForAll @IntRange(min = 4, max = 6) int size,
                                                @ForAll @IntRange(min = 1, max = 3) int kernel,
                                                @ForAll @IntRange(min = 1, max = 2) int stride,
                                                @ForAll @IntRange(min = 0, max = 1) int padding,
                                                @ForAll @IntRange(min = 1, max = 2) int dilation,
                                                @ForAll @IntRange(min = 1, max = 3) int filters,
                                                @ForAll @IntRange(min = 0, max = 2) int mode,
                                                @ForAll boolean channelsLast,
                                                @ForAll boolean hasBias,
                                                @ForAll ConvolutionLayerRule.NormMethod method,
                                                @ForAll long seed) {
        int extent = (kernel - 1) * dilation + 1;
        Assume.that(MODES[mode] != ConvolutionMode.Strict || (size + 2 * padding - extent) % stride == 0);
        // Same mode with a stride beyond the dilated kernel is left to the exact loop (see the rule).
        Assume.that(MODES[mode] != ConvolutionMode.Same || extent >= stride);
        // The second (2x2x2) layer needs a first output of at least 2 voxels a side.
        int out = MODES[mode] == ConvolutionMode.Same ? (size + stride - 1) / stride
                : (size + 2 * padding - extent) / stride + 1;
        Assume.that(out >= 2);
        Convolution3D.DataFormat format = channelsLast ? Convolution3D.DataFormat.NDHWC : Convolution3D.DataFormat.NCDHW;
        var layers = base(seed).convolutionMode(MODES[mode]).list()
                .layer(new Convolution3D.Builder(kernel, kernel, kernel).stride(stride, stride, stride)
                        .padding(padding, padding, padding).dilation(dilation, dilation, dilation).nOut(filters)
                        .hasBias(hasBias).activation(Activation.TANH).dataFormat(format).build())
                .layer(new Convolution3D.Builder(2, 2, 2).nOut(2).convolutionMode(ConvolutionMode.Truncate)
                        .activation(Activation.RELU).dataFormat(format).build());
        if (!channelsLast) {
            // DL4J 1.0.0-M2.1's flattening preprocessor rejects these NCDHW activations, and its global
            // pooling pools NDHWC activations over the wrong axes: pool NCDHW, flatten NDHWC.
            layers.layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build());
        }
        MultiLayerConfiguration conf = layers
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional3D(format, size, size, size, channels))
                .build();
        Random random = new Random(seed);
        INDArray x = channelsLast ? gaussian(random, batch, size, size, size, channels)
                : gaussian(random, batch, channels, size, size, size);
        assertEquivalent(conf, x, oneHot(random, batch, 3), random,
                LayerRules.defaults().withFirst(new Convolution3DLayerRule(method)));
    }

    @Property(tries = 20)
    void deconvolution3dNetwork_matchesBatchOfOne(@ForAll @IntRange(min = 1, max = 3) int batch,
                                                  @ForAll @IntRange(min = 1, max = 2) int channels,
                                                  @ForAll @IntRange(min = 2, max = 3) int size,
                                                  @ForAll @IntRange(min = 1, max = 2) int kernel,
                                                  @ForAll @IntRange(min = 1, max = 2) int stride,
                                                  @ForAll @IntRange(min = 0, max = 1) int padding,
                                                  @ForAll @IntRange(min = 1, max = 2) int dilation,
                                                  @ForAll @IntRange(min = 1, max = 3) int filters,
                                                  @ForAll @IntRange(min = 0, max = 2) int mode,
                                                  @ForAll boolean channelsLast,
                                                  @ForAll boolean hasBias,
                                                  @ForAll ConvolutionLayerRule.NormMethod method,
                                                  @ForAll long seed) {
        int extent = (kernel - 1) * dilation + 1;
        Assume.that(MODES[mode] == ConvolutionMode.Same || stride * (size - 1) + extent - 2 * padding >= 1);
        Assume.that(MODES[mode] != ConvolutionMode.Same || FeatureMaps.transposedSamePadding(kernel, stride, dilation) >= 0);
        Convolution3D.DataFormat format = channelsLast ? Convolution3D.DataFormat.NDHWC : Convolution3D.DataFormat.NCDHW;
        var layers = base(seed).convolutionMode(MODES[mode]).list()
                .layer(new Deconvolution3D.Builder().kernelSize(kernel, kernel, kernel).stride(stride, stride, stride)
                        .padding(padding, padding, padding).dilation(dilation, dilation, dilation).nOut(filters)
                        .hasBias(hasBias).activation(Activation.TANH).dataFormat(format).build())
                .layer(new Deconvolution3D.Builder().kernelSize(2, 2, 2).stride(2, 2, 2).nOut(2)
                        .convolutionMode(ConvolutionMode.Truncate).activation(Activation.RELU).dataFormat(format).build());
        if (!channelsLast) {
            layers.layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build());
        }
        MultiLayerConfiguration conf = layers
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional3D(format, size, size, size, channels))
                .build();
        Random random = new Random(seed);
        INDArray x = channelsLast ? gaussian(random, batch, size, size, size, channels)
                : gaussian(random, batch, channels, size, size, size);
        assertEquivalent(conf, x, oneHot(random, batch, 3), random,
                LayerRules.defaults().withFirst(new Deconvolution3DLayerRule(method)));
    }
}
