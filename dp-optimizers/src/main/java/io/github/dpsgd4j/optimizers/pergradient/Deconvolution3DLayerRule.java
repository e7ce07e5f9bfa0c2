package io.github.dpsgd4j.optimizers.pergradient;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.Convolution3D;
import org.deeplearning4j.nn.conf.layers.Deconvolution3D;
import org.deeplearning4j.nn.layers.convolution.Deconvolution3DLayer;
import org.deeplearning4j.nn.params.Deconvolution3DParamInitializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

/**
 * Transposed 3D convolutions (DL4J's {@code Deconvolution3D}, NCDHW or NDHWC, any stride, padding,
 * dilation and convolution mode): {@link Deconvolution2DLayerRule}'s algebra with a third spatial
 * axis. Input voxel (c, y) adds {@code W[c, o, a] x[c, y]} to output voxel {@code y*s - p + a*d}
 * (per axis), so with R_i the output gradient's windows on the input grid [channelsOut*k0*k1*k2, T]
 * (T input voxels) and X_i the input [channelsIn, T], example i's weight gradient is
 * {@code X_i R_i^T}, formed by {@link PatchGradients} (materialised or Gram norms, whichever is
 * cheaper), and the bias gradient, summed over output voxels, is materialised
 * ({@link CombinedBackward}). The windows and the forward col2im are {@link VolumePatches}'.
 *
 * <p>DL4J's weights are {@code [k0, k1, k2, channelsOut, channelsIn]} (libnd4j's deconv3d layout,
 * passed unpermuted). Padding as libnd4j's {@code deconv3d} pads: the configured padding, or in Same
 * mode (output {@code stride * input}) {@code (dilatedKernel - stride) / 2} rounded toward zero. Left to the
 * exact per-example loop: Same mode with a stride 2 or more beyond the dilated kernel (negative
 * padding) and input dropout, which DL4J 1.0.0-M2.1's layer does not backpropagate.
 */
public final class Deconvolution3DLayerRule implements LayerRule {

    private final ConvolutionLayerRule.NormMethod method;

    /** A rule choosing the cheaper norm method per layer shape. */
    public Deconvolution3DLayerRule() {
        this(ConvolutionLayerRule.NormMethod.AUTOMATIC);
    }

    /** A rule with a fixed norm method (both are exact; they differ in cost). */
    public Deconvolution3DLayerRule(ConvolutionLayerRule.NormMethod method) {
        this.method = io.github.dpsgd4j.common.Checks.notNull("method", method);
    }

    /**
     * Exactly DL4J's {@code Deconvolution3D} layer, with an element-wise activation, without layer
     * normalisation or input dropout, and with non-negative Same-mode padding.
     */
    @Override
    public LayerSupport supports(Layer layer) {
        if (layer.getClass() != Deconvolution3DLayer.class) {
            return LayerSupport.notHandled();
        }
        LayerSupport support = FeatureMaps.support(layer);
        Deconvolution3D conf = (Deconvolution3D) layer.conf().getLayer();
        if (support.isSupported()) {
            support = FeatureMaps.transposedSameModeSupport(layer, conf.getConvolutionMode(), 3, conf.getKernelSize(),
                    conf.getStride(), conf.getDilation());
        }
        return support.isSupported() ? FeatureMaps.inputDropoutSupport(layer, "Deconvolution3D") : support;
    }

    @Override
    public LayerBackward backward(Layer layer, INDArray outputGradient, boolean needInputGradient) {
        Deconvolution3DLayer deconv = (Deconvolution3DLayer) layer;
        Deconvolution3D conf = (Deconvolution3D) layer.conf().getLayer();
        INDArray weights = deconv.getParam(Deconvolution3DParamInitializer.WEIGHT_KEY);
        DataType dataType = weights.dataType();
        int[] kernel = {(int) weights.size(0), (int) weights.size(1), (int) weights.size(2)};
        long channelsOut = weights.size(3);
        long channelsIn = weights.size(4);
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
        boolean same = conf.getConvolutionMode() == ConvolutionMode.Same;
        int[] pad = new int[3];
        long[] outSize = new long[3];
        for (int d = 0; d < 3; d++) {
            if (same) {
                pad[d] = FeatureMaps.transposedSamePadding(kernel[d], strides[d], dilation[d]);
                outSize[d] = (long) strides[d] * in[d];
            } else {
                pad[d] = conf.getPadding()[d];
                outSize[d] = (long) strides[d] * (in[d] - 1) + (long) (kernel[d] - 1) * dilation[d] + 1 - 2L * pad[d];
            }
        }
        FeatureMaps.checkOutputGradient(layer, epsilon, batch, channelsOut, outSize[0], outSize[1], outSize[2]);
        long positions = (long) in[0] * in[1] * in[2];
        long patch = channelsOut * kernel[0] * kernel[1] * kernel[2];
        // [channelsIn, (o, k0, k1, k2)] from DL4J's [k0, k1, k2, channelsOut, channelsIn].
        INDArray weights2d = weights.permute(4, 3, 0, 1, 2).dup('c').reshape('c', channelsIn, patch);
        INDArray input3d = input.dup('c').reshape('c', batch, channelsIn, positions);
        // The padded output volume holds the output at offset pad and every window on the input grid.
        long[] padded = VolumePatches.paddedSize(batch, channelsOut, outSize, pad, in, kernel, strides, dilation);

        // z = col2im(W2d^T X_i) (+ bias), cropped from the padded volume.
        INDArray outputColumns = PatchGradients.sharedLeftProduct(weights2d, input3d, true)
                .reshape('c', batch, channelsOut, kernel[0], kernel[1], kernel[2], in[0], in[1], in[2]);
        INDArray outputVolume = Nd4j.zeros(dataType, padded);
        VolumePatches.scatterAdd(outputColumns, outputVolume, kernel, in, strides, dilation);
        INDArray z = VolumePatches.cropped(outputVolume, pad, outSize);
        boolean hasBias = conf.hasBias();
        INDArray delta = FeatureMaps.preActivationGradient(conf.getActivationFn(), z,
                hasBias ? deconv.getParam(Deconvolution3DParamInitializer.BIAS_KEY) : null, epsilon);

        // R_i: the output gradient's windows on the input grid, [B, (o, k0, k1, k2), T].
        INDArray columns3d = VolumePatches.gather(VolumePatches.padded(delta, pad, padded), kernel, in, strides,
                dilation).reshape('c', batch, patch, positions);

        INDArray inputGradient = null;
        if (needInputGradient) {
            inputGradient = PatchGradients.sharedLeftProduct(weights2d, columns3d, false)
                    .reshape('c', batch, channelsIn, in[0], in[1], in[2]);
            if (channelsLast) {
                inputGradient = inputGradient.permute(0, 2, 3, 4, 1);
            }
        }

        Map<String, INDArray> views = LayerState.gradientViews(layer);
        // A (channelIn, o, k0, k1, k2) view of the (k0, k1, k2, o, channelIn) gradient (writes reach it).
        INDArray weightView = views.get(Deconvolution3DParamInitializer.WEIGHT_KEY).permute(4, 3, 0, 1, 2);
        LayerBackward weightPart = PatchGradients.backward(method, columns3d, input3d, weightView, null, null);
        if (!hasBias) {
            return new CombinedBackward(inputGradient, List.of(weightPart));
        }
        INDArray perExampleBias = delta.reshape('c', batch, channelsOut, outSize[0] * outSize[1] * outSize[2]).sum(2);
        LayerBackward biasPart = new MaterialisedGradients(List.of(perExampleBias),
                List.of(views.get(Deconvolution3DParamInitializer.BIAS_KEY)), null);
        return new CombinedBackward(inputGradient, List.of(weightPart, biasPart));
    }
}
