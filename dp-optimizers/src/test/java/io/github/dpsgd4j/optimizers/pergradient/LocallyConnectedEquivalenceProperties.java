package io.github.dpsgd4j.optimizers.pergradient;

import io.github.dpsgd4j.optimizers.model.Batch;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LocallyConnected1D;
import org.deeplearning4j.nn.conf.layers.LocallyConnected2D;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Random;

import static io.github.dpsgd4j.optimizers.pergradient.PerExampleGradientEquivalenceProperties.assertEquivalent;
import static io.github.dpsgd4j.optimizers.pergradient.PerExampleGradientEquivalenceProperties.base;
import static io.github.dpsgd4j.optimizers.pergradient.PerExampleGradientEquivalenceProperties.gaussian;
import static io.github.dpsgd4j.optimizers.pergradient.PerExampleGradientEquivalenceProperties.oneHot;

/**
 * {@link LocallyConnected1DLayerRule} and {@link LocallyConnected2DLayerRule}: per-example norms and the
 * clipped sum equal batch-of-one DL4J backprop (1e-5 relative, double) over kernel sizes, strides,
 * padding, Truncate and Same modes, bias on and off, every activation the rules take, (1D) masked
 * sequences, and (2D) NCHW and NHWC on non-square images, where DL4J's order of locations matters. Two locally connected layers
 * are stacked, so the upper one's input gradient is checked too.
 */
class LocallyConnectedEquivalenceProperties {

    private static final Activation[] ACTIVATIONS = {Activation.TANH, Activation.RELU, Activation.LEAKYRELU,
            Activation.SIGMOID, Activation.IDENTITY, Activation.ELU, Activation.SOFTPLUS, Activation.SOFTSIGN,
            Activation.HARDTANH, Activation.CUBE};

    @Property(tries = 12)
    void locallyConnected1dNetwork_matchesBatchOfOne(@ForAll @IntRange(min = 1, max = 4) int batch,
                                                     @ForAll @IntRange(min = 1, max = 3) int channels,
                                                     @ForAll @IntRange(min = 5, max = 9) int length,
                                                     @ForAll @IntRange(min = 1, max = 3) int kernel,
                                                     @ForAll @IntRange(min = 1, max = 2) int stride,
                                                     @ForAll @IntRange(min = 0, max = 1) int padding,
                                                     @ForAll boolean sameMode,
                                                     @ForAll @IntRange(min = 1, max = 3) int filters,
                                                     @ForAll boolean hasBias,
                                                     @ForAll @IntRange(min = 0, max = 9) int activation,
                                                     @ForAll long seed) {
        // DL4J's own configuration refuses Same mode with a stride beyond the kernel (negative padding).
        Assume.that(!(sameMode && stride > kernel));
        LocallyConnected1D.Builder first = new LocallyConnected1D.Builder().nIn(channels).nOut(filters)
                .kernelSize(kernel).stride(stride).hasBias(hasBias).activation(ACTIVATIONS[activation])
                .convolutionMode(sameMode ? ConvolutionMode.Same : ConvolutionMode.Truncate);
        if (!sameMode) {
            first.padding(padding);
        }
        MultiLayerConfiguration conf = base(seed).list()
                .layer(first.build())
                .layer(new LocallyConnected1D.Builder().nOut(2).kernelSize(2).activation(Activation.TANH)
                        .convolutionMode(ConvolutionMode.Truncate).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.recurrent(channels, length))
                .build();
        Random random = new Random(seed);
        assertEquivalent(conf, gaussian(random, batch, channels, length), oneHot(random, batch, 3), random);
    }

    /** DL4J's forward pass ignores the sequence mask; the masked loss zeroes the gradient of masked steps. */
    @Property(tries = 6)
    void locallyConnected1dWithMaskedSequences_matchesBatchOfOne(@ForAll @IntRange(min = 1, max = 4) int batch,
                                                                 @ForAll @IntRange(min = 2, max = 8) int length,
                                                                 @ForAll @IntRange(min = 1, max = 3) int kernel,
                                                                 @ForAll RecurrentEquivalenceProperties.MaskKind maskKind,
                                                                 @ForAll long seed) {
        // Same mode with stride 1 keeps the length, so the mask fits the output too.
        MultiLayerConfiguration conf = base(seed).list()
                .layer(new LocallyConnected1D.Builder().nOut(3).kernelSize(kernel).activation(Activation.TANH)
                        .convolutionMode(ConvolutionMode.Same).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.recurrent(2, length))
                .build();
        Random random = new Random(seed);
        INDArray mask = RecurrentEquivalenceProperties.mask(random, maskKind, batch, length);
        INDArray[] masks = mask == null ? null : new INDArray[] {mask};
        RecurrentEquivalenceProperties.assertEquivalent(conf, new Batch(
                new INDArray[] {gaussian(random, batch, 2, length)},
                new INDArray[] {RecurrentEquivalenceProperties.oneHotSequence(random, RNNFormat.NCW, batch, 2, length)},
                masks, masks), random);
    }

    @Property(tries = 10)
    void locallyConnected2dNetwork_matchesBatchOfOne(@ForAll @IntRange(min = 1, max = 4) int batch,
                                                     @ForAll @IntRange(min = 1, max = 2) int channels,
                                                     @ForAll @IntRange(min = 4, max = 6) int height,
                                                     @ForAll @IntRange(min = 4, max = 7) int width,
                                                     @ForAll @IntRange(min = 1, max = 3) int kernelHeight,
                                                     @ForAll @IntRange(min = 1, max = 2) int kernelWidth,
                                                     @ForAll @IntRange(min = 1, max = 2) int stride,
                                                     @ForAll @IntRange(min = 0, max = 1) int padding,
                                                     @ForAll boolean sameMode,
                                                     @ForAll boolean nhwc,
                                                     @ForAll @IntRange(min = 1, max = 3) int filters,
                                                     @ForAll boolean hasBias,
                                                     @ForAll @IntRange(min = 0, max = 9) int activation,
                                                     @ForAll long seed) {
        // Strides (1, 2) or (2, 1).
        Assume.that(!(sameMode && (stride > kernelHeight || 3 - stride > kernelWidth)));
        CNN2DFormat format = nhwc ? CNN2DFormat.NHWC : CNN2DFormat.NCHW;
        LocallyConnected2D.Builder first = new LocallyConnected2D.Builder().nIn(channels).nOut(filters)
                .kernelSize(kernelHeight, kernelWidth).stride(stride, 3 - stride).hasBias(hasBias)
                .activation(ACTIVATIONS[activation])
                .convolutionMode(sameMode ? ConvolutionMode.Same : ConvolutionMode.Truncate);
        if (!sameMode) {
            first.padding(padding, 1 - padding);
        }
        MultiLayerConfiguration conf = base(seed).list()
                .layer(first.build())
                // A 1 x 2 kernel: the first layer's output can be a single row.
                .layer(new LocallyConnected2D.Builder().nOut(2).kernelSize(1, 2).activation(Activation.TANH)
                        .convolutionMode(ConvolutionMode.Truncate).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(height, width, channels, format))
                .build();
        Random random = new Random(seed);
        INDArray x = nhwc ? gaussian(random, batch, height, width, channels)
                : gaussian(random, batch, channels, height, width);
        assertEquivalent(conf, x, oneHot(random, batch, 3), random);
    }
}
