package io.github.dpsgd4j.optimizers.pergradient;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.Convolution3D;
import org.deeplearning4j.nn.layers.convolution.Convolution3DLayer;
import org.deeplearning4j.nn.params.Convolution3DParamInitializer;
import org.deeplearning4j.util.Convolution3DUtils;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;
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
 * <p>The patches are gathered in the channel-major layout [B, K, T] by one strided copy per kernel
 * tap from the zero-padded input (ND4J 1.0.0-M2.1 exposes no 3D im2col op), and the input gradient
 * is scattered back the same way. Padding: the configured padding, or in Same mode DL4J's own top/front/left padding
 * ({@code Convolution3DUtils}). DL4J 1.0.0-M2.1's layer does not backpropagate its input dropout; a
 * layer with dropout is left to the exact per-example loop, which reproduces DL4J.
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
        Convolution3D conf = (Convolution3D) layer.conf().getLayer();
        if (conf.getActivationFn() instanceof ActivationSoftmax) {
            return LayerSupport.unsupported("layer " + LayerRules.describe(layer)
                    + " uses a softmax activation, which is not element-wise over a feature map");
        }
        if (((Convolution3DLayer) layer).hasLayerNorm()) {
            return LayerSupport.unsupported("layer " + LayerRules.describe(layer) + " uses layer normalisation");
        }
        if (conf.getIDropout() != null) {
            return LayerSupport.unsupported("layer " + LayerRules.describe(layer) + " uses input dropout, which "
                    + "DL4J 1.0.0-M2.1's Convolution3D leaves out of its input gradient; the exact loop reproduces DL4J");
        }
        return LayerSupport.supported();
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
        if (epsilon.size(1) != channelsOut || epsilon.size(2) != out[0] || epsilon.size(3) != out[1]
                || epsilon.size(4) != out[2]) {
            throw new IllegalStateException("layer " + LayerRules.describe(layer) + ": output gradient "
                    + Arrays.toString(epsilon.shape()) + " does not match the output [" + batch + ", " + channelsOut
                    + ", " + out[0] + ", " + out[1] + ", " + out[2] + "]");
        }
        long positions = (long) out[0] * out[1] * out[2];
        long taps = (long) kernel[0] * kernel[1] * kernel[2];
        long patch = channelsIn * taps;
        // The zero-padded volume covers every window (Same mode may pad more at the back/bottom/right).
        long[] padded = new long[] {batch, channelsIn, 0, 0, 0};
        for (int d = 0; d < 3; d++) {
            long windowsEnd = (long) (out[d] - 1) * strides[d] + (kernel[d] - 1) * dilation[d] + 1;
            padded[d + 2] = Math.max(in[d] + pad[d], windowsEnd);
        }

        INDArray volume = Nd4j.zeros(dataType, padded);
        volume.get(interior(in, pad)).assign(input);
        // Patches [B, channelIn, kD, kH, kW, outD, outH, outW]: one strided copy per kernel tap.
        INDArray columns = Nd4j.createUninitialized(dataType, new long[] {batch, channelsIn, kernel[0], kernel[1],
                kernel[2], out[0], out[1], out[2]}, 'c');
        for (int a = 0; a < kernel[0]; a++) {
            for (int b = 0; b < kernel[1]; b++) {
                for (int c = 0; c < kernel[2]; c++) {
                    columns.get(tap(a, b, c)).assign(volume.get(window(a, b, c, out, strides, dilation)));
                }
            }
        }
        INDArray columns3d = columns.reshape('c', batch, patch, positions);
        INDArray weights2d = weights.reshape('c', channelsOut, patch);

        INDArray z = PatchGradients.sharedLeftProduct(weights2d, columns3d, false);
        if (conv.hasBias()) {
            INDArray bias = conv.getParam(Convolution3DParamInitializer.BIAS_KEY);
            Nd4j.getExecutioner().exec(new BroadcastAddOp(z, bias.reshape(channelsOut), z, 1));
        }
        // dL/dz as [B, channelsOut, T], a copy (the activation's backprop may work in place).
        INDArray epsilon3d = epsilon.dup('c').reshape('c', batch, channelsOut, positions);
        INDArray delta = conf.getActivationFn().backprop(z, epsilon3d).getFirst();

        INDArray inputGradient = null;
        if (needInputGradient) {
            INDArray gradientColumns = PatchGradients.sharedLeftProduct(weights2d, delta, true)
                    .reshape('c', batch, channelsIn, kernel[0], kernel[1], kernel[2], out[0], out[1], out[2]);
            INDArray gradientVolume = Nd4j.zeros(dataType, padded);
            for (int a = 0; a < kernel[0]; a++) {
                for (int b = 0; b < kernel[1]; b++) {
                    for (int c = 0; c < kernel[2]; c++) {
                        gradientVolume.get(window(a, b, c, out, strides, dilation))
                                .addi(gradientColumns.get(tap(a, b, c)));
                    }
                }
            }
            inputGradient = gradientVolume.get(interior(in, pad)).dup('c');
            if (channelsLast) {
                inputGradient = inputGradient.permute(0, 2, 3, 4, 1);
            }
        }

        Map<String, INDArray> views = LayerState.gradientViews(layer);
        INDArray weightGradient2d = LayerState.reshapeView(views.get(Convolution3DParamInitializer.WEIGHT_KEY),
                channelsOut, patch);
        INDArray biasGradient = conv.hasBias() ? views.get(Convolution3DParamInitializer.BIAS_KEY) : null;
        return PatchGradients.backward(method, columns3d, delta, weightGradient2d, biasGradient, inputGradient);
    }

    /** The input's place inside the padded volume. */
    private static INDArrayIndex[] interior(int[] in, int[] pad) {
        return new INDArrayIndex[] {NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.interval(pad[0], pad[0] + in[0]), NDArrayIndex.interval(pad[1], pad[1] + in[1]),
                NDArrayIndex.interval(pad[2], pad[2] + in[2])};
    }

    /** Kernel tap (a, b, c) of the patches: [B, channelIn, outD, outH, outW]. */
    private static INDArrayIndex[] tap(int a, int b, int c) {
        return new INDArrayIndex[] {NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(a),
                NDArrayIndex.point(b), NDArrayIndex.point(c), NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.all()};
    }

    /** The padded voxels kernel tap (a, b, c) reads at every output position: [B, channelIn, outD, outH, outW]. */
    private static INDArrayIndex[] window(int a, int b, int c, int[] out, int[] strides, int[] dilation) {
        int[] offset = {a * dilation[0], b * dilation[1], c * dilation[2]};
        INDArrayIndex[] index = new INDArrayIndex[5];
        index[0] = NDArrayIndex.all();
        index[1] = NDArrayIndex.all();
        for (int d = 0; d < 3; d++) {
            index[d + 2] = NDArrayIndex.interval(offset[d], strides[d], offset[d] + (out[d] - 1) * strides[d] + 1);
        }
        return index;
    }
}
