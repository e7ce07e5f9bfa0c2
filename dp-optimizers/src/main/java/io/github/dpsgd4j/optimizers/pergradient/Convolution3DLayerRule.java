package io.github.dpsgd4j.optimizers.pergradient;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.Convolution3D;
import org.deeplearning4j.nn.layers.convolution.Convolution3DLayer;
import org.deeplearning4j.nn.params.Convolution3DParamInitializer;
import org.deeplearning4j.util.Convolution3DUtils;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/**
 * 3D convolutions (DL4J's {@code Convolution3D}, NCDHW or NDHWC, any stride, padding, dilation and
 * convolution mode), treated as a linear layer on volume patches: the 2D rule's algebra with a third
 * spatial axis. With U_i the patch matrix of example i [T, K] (T = outD*outH*outW positions, K =
 * channelsIn*kD*kH*kW in the (channel, kD, kH, kW) order of DL4J's {@code [channelsOut, channelsIn,
 * kD, kH, kW]} weights) and D_i = dL/dz_i [T, channelsOut], example i's weight gradient is
 * {@code U_i^T D_i} and its bias gradient {@code sum_t D_i[t, :]}; {@link PatchGradients} forms them
 * (materialised or Gram-matrix norms, whichever is cheaper for the shape, as
 * {@link ConvolutionLayerRule}).
 *
 * <p>The patches are gathered in the channel-major layout [B, K, T] from the zero-padded input by
 * {@link VolumePatches}, and the input gradient is scattered back the same way. Padding: the
 * configured padding, or in Same mode DL4J's own top/front/left padding
 * ({@code Convolution3DUtils}). Left to the exact per-example loop: input dropout, which DL4J
 * 1.0.0-M2.1's layer does not backpropagate, and Same mode with a stride larger than the dilated
 * kernel, where DL4J's padding can go negative (which the zero padding here does not represent).
 */
public final class Convolution3DLayerRule implements LayerRule {

    private final ConvolutionLayerRule.NormMethod method;

    /** A rule choosing the cheaper norm method per layer shape. */
    public Convolution3DLayerRule() {
        this(ConvolutionLayerRule.NormMethod.AUTOMATIC);
    }

    /** A rule with a fixed norm method (both are exact; they differ in cost). */
    public Convolution3DLayerRule(ConvolutionLayerRule.NormMethod method) {
        this.method = io.github.dpsgd4j.common.Checks.notNull("method", method);
    }

    /**
     * Exactly DL4J's {@code Convolution3D} layer, with an element-wise activation, without layer
     * normalisation and without input dropout.
     */
    @Override
    public LayerSupport supports(Layer layer) {
        if (layer.getClass() != Convolution3DLayer.class) {
            return LayerSupport.notHandled();
        }
        LayerSupport support = FeatureMaps.support(layer);
        Convolution3D conf = (Convolution3D) layer.conf().getLayer();
        if (support.isSupported()) {
            // DL4J's Same-mode padding can go negative there (the windows then skip leading input).
            support = FeatureMaps.sameModeStrideSupport(layer, conf.getConvolutionMode(), 3, conf.getKernelSize(),
                    conf.getStride(), conf.getDilation(), "DL4J's padding can go negative");
        }
        return support.isSupported() ? FeatureMaps.inputDropoutSupport(layer, "Convolution3D") : support;
    }

    @Override
    public LayerBackward backward(Layer layer, INDArray outputGradient, boolean needInputGradient) {
        Convolution3DLayer conv = (Convolution3DLayer) layer;
        Convolution3D conf = (Convolution3D) layer.conf().getLayer();
        INDArray weights = conv.getParam(Convolution3DParamInitializer.WEIGHT_KEY);
        DataType dataType = weights.dataType();
        long channelsOut = weights.size(0);
        long channelsIn = weights.size(1);
        int[] kernel = {(int) weights.size(2), (int) weights.size(3), (int) weights.size(4)};
        boolean channelsLast = conf.getDataFormat() == Convolution3D.DataFormat.NDHWC;

        INDArray input = LayerState.input(layer, dataType);
        INDArray epsilon = outputGradient.castTo(dataType);
        if (channelsLast) {
            input = input.permute(0, 4, 1, 2, 3);
            epsilon = epsilon.permute(0, 4, 1, 2, 3);
        }
        long batch = input.size(0);
        int[] in = {(int) input.size(2), (int) input.size(3), (int) input.size(4)};
        int[] strides = conf.getStride();
        int[] dilation = conf.getDilation();
        int[] pad;
        int[] out;
        if (conf.getConvolutionMode() == ConvolutionMode.Same) {
            out = Convolution3DUtils.get3DOutputSize(input, kernel, strides, null, ConvolutionMode.Same, dilation,
                    true);
            pad = Convolution3DUtils.get3DSameModeTopLeftPadding(out, in, kernel, strides, dilation);
        } else {
            pad = conf.getPadding();
            out = Convolution3DUtils.get3DOutputSize(input, kernel, strides, pad, conf.getConvolutionMode(), dilation,
                    true);
        }
        FeatureMaps.checkOutputGradient(layer, epsilon, batch, channelsOut, out[0], out[1], out[2]);
        long positions = (long) out[0] * out[1] * out[2];
        long taps = (long) kernel[0] * kernel[1] * kernel[2];
        long patch = channelsIn * taps;
        long[] inSize = {in[0], in[1], in[2]};
        // The zero-padded volume covers every window (Same mode may pad more at the back/bottom/right).
        long[] padded = VolumePatches.paddedSize(batch, channelsIn, inSize, pad, out, kernel, strides, dilation);
        INDArray columns = VolumePatches.gather(VolumePatches.padded(input, pad, padded), kernel, out, strides,
                dilation);
        INDArray columns3d = columns.reshape('c', batch, patch, positions);
        INDArray weights2d = weights.reshape('c', channelsOut, patch);

        // z and dL/dz as [B, channelsOut, T].
        INDArray z = PatchGradients.sharedLeftProduct(weights2d, columns3d, false);
        INDArray delta = FeatureMaps.preActivationGradient(conf.getActivationFn(), z,
                conf.hasBias() ? conv.getParam(Convolution3DParamInitializer.BIAS_KEY) : null, epsilon);

        INDArray inputGradient = null;
        if (needInputGradient) {
            INDArray gradientColumns = PatchGradients.sharedLeftProduct(weights2d, delta, true)
                    .reshape('c', batch, channelsIn, kernel[0], kernel[1], kernel[2], out[0], out[1], out[2]);
            INDArray gradientVolume = Nd4j.zeros(dataType, padded);
            VolumePatches.scatterAdd(gradientColumns, gradientVolume, kernel, out, strides, dilation);
            inputGradient = VolumePatches.cropped(gradientVolume, pad, inSize);
            if (channelsLast) {
                inputGradient = inputGradient.permute(0, 2, 3, 4, 1);
            }
        }

        Map<String, INDArray> views = LayerState.gradientViews(layer);
        INDArray weightGradient2d = LayerState.reshapeView(views.get(Convolution3DParamInitializer.WEIGHT_KEY),
                channelsOut, patch);
        INDArray biasGradient = conf.hasBias() ? views.get(Convolution3DParamInitializer.BIAS_KEY) : null;
        return PatchGradients.backward(method, columns3d, delta, weightGradient2d, biasGradient, inputGradient);
    }
}
