package io.github.dpsgd4j.optimizers.pergradient;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.layers.convolution.Deconvolution2DLayer;
import org.deeplearning4j.nn.params.DeconvolutionParamInitializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.convolution.Convolution;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

/**
 * Transposed 2D convolutions (DL4J's {@code Deconvolution2D}, NCHW or NHWC, any stride, padding,
 * dilation and convolution mode). With weights W [channelsIn, channelsOut, kH, kW] (DL4J's layout),
 * input pixel (c, y, x) adds {@code W[c, o, a, b] * x[c, y, x]} to output pixel
 * {@code (o, y*sH - pH + a*dH, x*sW - pW + b*dW)} (positions outside the output are dropped): the
 * forward pass is a col2im of {@code W^T x}, and the backward pass reads the output gradient through
 * the same window, an im2col of D_i = dL/dz_i onto the input grid, R_i [channelsOut*kH*kW, T]
 * (T = inH*inW input positions).
 *
 * <p>Example i's weight gradient is then {@code X_i R_i^T} [channelsIn, channelsOut*kH*kW] with X_i
 * its input [channelsIn, T]: the 2D convolution's algebra with the roles of input and output
 * swapped, so {@link PatchGradients} forms it with R_i as the patches and X_i as the "delta"
 * (materialised or Gram-matrix norms, whichever is cheaper for the shape, as
 * {@link ConvolutionLayerRule}). The bias gradient {@code sum_p D_i[o, p]} is materialised; the two
 * parts add ({@link CombinedBackward}). The input gradient is {@code W2d R_i}.
 *
 * <p>Padding as libnd4j's {@code deconv2d} pads: the configured padding, or in Same mode (output
 * {@code stride * input}) {@code (dilatedKernel - stride) / 2} rounded toward zero. Left to the
 * exact per-example loop: a Same-mode layer whose stride exceeds its dilated kernel by 2 or more
 * (negative padding, which ND4J's im2col/col2im refuse), and a layer with input dropout, which
 * DL4J 1.0.0-M2.1's layer does not backpropagate (the loop reproduces DL4J).
 */
public final class Deconvolution2DLayerRule implements LayerRule {

    private final ConvolutionLayerRule.NormMethod method;

    /** A rule choosing the cheaper norm method per layer shape. */
    public Deconvolution2DLayerRule() {
        this(ConvolutionLayerRule.NormMethod.AUTOMATIC);
    }

    /** A rule with a fixed norm method (both are exact; they differ in cost). */
    public Deconvolution2DLayerRule(ConvolutionLayerRule.NormMethod method) {
        this.method = io.github.dpsgd4j.common.Checks.notNull("method", method);
    }

    /**
     * Exactly DL4J's {@code Deconvolution2D} layer, with an element-wise activation, without layer
     * normalisation and without input dropout.
     */
    @Override
    public LayerSupport supports(Layer layer) {
        if (layer.getClass() != Deconvolution2DLayer.class) {
            return LayerSupport.notHandled();
        }
        LayerSupport support = FeatureMaps.support(layer);
        Deconvolution2D conf = (Deconvolution2D) layer.conf().getLayer();
        if (support.isSupported()) {
            support = FeatureMaps.transposedSameModeSupport(layer, conf.getConvolutionMode(), 2, conf.getKernelSize(),
                    conf.getStride(), conf.getDilation());
        }
        return support.isSupported() ? FeatureMaps.inputDropoutSupport(layer, "Deconvolution2D") : support;
    }

    @Override
    public LayerBackward backward(Layer layer, INDArray outputGradient, boolean needInputGradient) {
        Deconvolution2DLayer deconv = (Deconvolution2DLayer) layer;
        Deconvolution2D conf = (Deconvolution2D) layer.conf().getLayer();
        INDArray weights = deconv.getParam(DeconvolutionParamInitializer.WEIGHT_KEY);
        DataType dataType = weights.dataType();
        long channelsIn = weights.size(0);
        long channelsOut = weights.size(1);
        int kH = (int) weights.size(2);
        int kW = (int) weights.size(3);
        boolean nhwc = conf.getCnn2dDataFormat() == CNN2DFormat.NHWC;

        INDArray input = LayerState.input(layer, dataType);
        INDArray epsilon = outputGradient.castTo(dataType);
        if (nhwc) {
            input = input.permute(0, 3, 1, 2);
            epsilon = epsilon.permute(0, 3, 1, 2);
        }
        long batch = input.size(0);
        int inH = (int) input.size(2);
        int inW = (int) input.size(3);
        int[] strides = conf.getStride();
        int[] dilation = conf.getDilation();
        boolean same = conf.getConvolutionMode() == ConvolutionMode.Same;
        int[] outSize = new int[2];
        int[] pad = new int[2];
        int[] in = {inH, inW};
        int[] kernel = {kH, kW};
        for (int d = 0; d < 2; d++) {
            if (same) {
                outSize[d] = strides[d] * in[d];
                pad[d] = FeatureMaps.transposedSamePadding(kernel[d], strides[d], dilation[d]);
            } else {
                pad[d] = conf.getPadding()[d];
                outSize[d] = strides[d] * (in[d] - 1) + (kernel[d] - 1) * dilation[d] + 1 - 2 * pad[d];
            }
        }
        int outH = outSize[0];
        int outW = outSize[1];
        FeatureMaps.checkOutputGradient(layer, epsilon, batch, channelsOut, outH, outW);
        long positions = (long) inH * inW;
        long patch = channelsOut * kH * kW;
        // DL4J's weights [channelsIn, channelsOut, kH, kW] in c order: [channelsIn, (o, kH, kW)].
        INDArray weights2d = weights.reshape('c', channelsIn, patch);
        INDArray input3d = input.dup('c').reshape('c', batch, channelsIn, positions);

        // z = col2im(W2d^T X_i) (+ bias).
        INDArray outputColumns = PatchGradients.sharedLeftProduct(weights2d, input3d, true)
                .reshape('c', batch, channelsOut, kH, kW, inH, inW);
        INDArray z = Nd4j.createUninitialized(dataType, new long[] {batch, channelsOut, outH, outW}, 'c');
        Convolution.col2im(outputColumns, z, strides[0], strides[1], pad[0], pad[1], outH, outW, dilation[0],
                dilation[1]);
        boolean hasBias = deconv.hasBias();
        // dL/dz in NCHW.
        INDArray delta = FeatureMaps.preActivationGradient(conf.getActivationFn(), z,
                hasBias ? deconv.getParam(DeconvolutionParamInitializer.BIAS_KEY) : null, epsilon);

        // R_i: the output gradient's windows on the input grid, [B, (o, kH, kW), (inH, inW)]. In Same mode
        // im2col derives the same padding from the sizes itself (and checks the grid against them).
        INDArray columns = Nd4j.createUninitialized(dataType, new long[] {batch, channelsOut, kH, kW, inH, inW}, 'c');
        Convolution.im2col(delta, kH, kW, strides[0], strides[1], pad[0], pad[1], dilation[0], dilation[1], same,
                columns);
        INDArray columns3d = columns.reshape('c', batch, patch, positions);

        INDArray inputGradient = null;
        if (needInputGradient) {
            inputGradient = PatchGradients.sharedLeftProduct(weights2d, columns3d, false)
                    .reshape('c', batch, channelsIn, inH, inW);
            if (nhwc) {
                inputGradient = inputGradient.permute(0, 2, 3, 1);
            }
        }

        Map<String, INDArray> views = LayerState.gradientViews(layer);
        INDArray weightView = LayerState.reshapeView(views.get(DeconvolutionParamInitializer.WEIGHT_KEY),
                channelsIn, patch);
        LayerBackward weightPart = PatchGradients.backward(method, columns3d, input3d, weightView, null, null);
        if (!hasBias) {
            return new CombinedBackward(inputGradient, List.of(weightPart));
        }
        INDArray perExampleBias = delta.reshape('c', batch, channelsOut, (long) outH * outW).sum(2);
        LayerBackward biasPart = new MaterialisedGradients(List.of(perExampleBias),
                List.of(views.get(DeconvolutionParamInitializer.BIAS_KEY)), null);
        return new CombinedBackward(inputGradient, List.of(weightPart, biasPart));
    }
}
