package io.github.dpsgd4j.optimizers.pergradient;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.convolution.Convolution;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/**
 * 2D convolutions (DL4J's {@code ConvolutionLayer}, NCHW or NHWC, any stride, padding, dilation
 * and convolution mode), treated as a linear layer on image patches.
 *
 * <p>With U_i the im2col patch matrix of example i [T, K] (T = outH*outW positions, K =
 * channelsIn*kH*kW) and D_i = dL/dz_i [T, channelsOut], the per-example weight gradient is
 * {@code U_i^T D_i} and the bias gradient {@code sum_t D_i[t, :]}. Two ways to its norm, chosen per
 * layer by cost (Bu, Mao, Xu 2022, "Scalable and efficient training of large convolutional neural
 * networks with differential privacy", arXiv:2205.10683):
 * <ul>
 *   <li>materialise: {@code G_i = U_i^T D_i} for every example (a batched matrix product of
 *       T*K*channelsOut multiply-adds per example, the same work as the ordinary weight gradient),
 *       its norm, and the clipped sum {@code sum_i c_i G_i};</li>
 *   <li>ghost norm: {@code |U_i^T D_i|_F^2 = <U_i U_i^T, D_i D_i^T>_F} (Li et al. 2022,
 *       arXiv:2110.05679), T^2*(K + channelsOut) work, then the clipped sum
 *       {@code U^T diag(c) D} by book-keeping.</li>
 * </ul>
 * Materialising is used when {@code K * channelsOut <= T * (K + channelsOut)}. The rule unfolds the
 * layer's input itself (DL4J's forward pass keeps no unfolded input unless a cache mode is set), in
 * im2col's channel-major layout, and recomputes the pre-activation from it; {@link PatchGradients}
 * owns the per-example part, shared with {@link Convolution1DLayerRule}.
 */
public final class ConvolutionLayerRule implements LayerRule {

    /** How the per-example weight-gradient norms are computed. */
    public enum NormMethod {
        /** The cheaper of the two for the layer's shape. */
        AUTOMATIC,
        /** Per-example gradients as a batched matrix product. */
        MATERIALISE,
        /** Gram-matrix (ghost) norms with a book-kept clipped sum. */
        GHOST
    }

    private final NormMethod method;

    /** A rule choosing the cheaper norm method per layer shape. */
    public ConvolutionLayerRule() {
        this(NormMethod.AUTOMATIC);
    }

    /** A rule with a fixed norm method (both are exact; they differ in cost). */
    public ConvolutionLayerRule(NormMethod method) {
        this.method = io.github.dpsgd4j.common.Checks.notNull("method", method);
    }

    /**
     * Exactly DL4J's 2D {@code ConvolutionLayer} class (not Convolution1D/3D, deconvolution,
     * depthwise or separable layers, which are subclasses or other classes), with an element-wise
     * activation (not softmax, which is not element-wise over a feature map).
     */
    @Override
    public LayerSupport supports(Layer layer) {
        if (layer.getClass() != ConvolutionLayer.class) {
            return LayerSupport.notHandled();
        }
        return FeatureMaps.support(layer);
    }

    @Override
    public LayerBackward backward(Layer layer, INDArray outputGradient, boolean needInputGradient) {
        ConvolutionLayer conv = (ConvolutionLayer) layer;
        org.deeplearning4j.nn.conf.layers.ConvolutionLayer conf =
                (org.deeplearning4j.nn.conf.layers.ConvolutionLayer) layer.conf().getLayer();
        INDArray weights = conv.getParam(ConvolutionParamInitializer.WEIGHT_KEY);
        DataType dataType = weights.dataType();
        boolean nhwc = conf.getCnn2dDataFormat() == CNN2DFormat.NHWC;

        INDArray input = LayerState.input(layer, dataType);
        INDArray epsilon = outputGradient.castTo(dataType);
        if (nhwc) {
            input = input.permute(0, 3, 1, 2);
            epsilon = epsilon.permute(0, 3, 1, 2);
        }
        long batch = input.size(0);
        long channelsOut = weights.size(0);
        long channelsIn = weights.size(1);
        int kH = (int) weights.size(2);
        int kW = (int) weights.size(3);
        Geometry g = Geometry.of(conf, input);
        long positions = (long) g.outH() * g.outW();
        long patch = channelsIn * kH * kW;
        FeatureMaps.checkOutputGradient(layer, epsilon, batch, channelsOut, g.outH(), g.outW());

        // Patches in im2col's own layout [B, (channelIn, kH, kW), (outH, outW)].
        INDArray columns3d = g.patches(input, kH, kW).reshape('c', batch, patch, positions);
        // DL4J's weights are [channelsOut, channelIn, kH, kW] in c order: [channelsOut, K].
        INDArray weights2d = weights.reshape('c', channelsOut, patch);

        // z and dL/dz as [B, channelsOut, T].
        INDArray z = PatchGradients.sharedLeftProduct(weights2d, columns3d, false);
        INDArray delta = FeatureMaps.preActivationGradient(conf.getActivationFn(), z,
                conv.hasBias() ? conv.getParam(ConvolutionParamInitializer.BIAS_KEY) : null, epsilon);

        INDArray inputGradient = null;
        if (needInputGradient) {
            INDArray gradientColumns = PatchGradients.sharedLeftProduct(weights2d, delta, true)
                    .reshape('c', batch, channelsIn, kH, kW, g.outH(), g.outW());
            inputGradient = g.inputGradient(layer, gradientColumns, nhwc);
        }

        Map<String, INDArray> views = LayerState.gradientViews(layer);
        INDArray weightGradient2d = LayerState.reshapeView(views.get(ConvolutionParamInitializer.WEIGHT_KEY),
                channelsOut, patch);
        INDArray biasGradient = conv.hasBias() ? views.get(ConvolutionParamInitializer.BIAS_KEY) : null;
        return PatchGradients.backward(method, columns3d, delta, weightGradient2d, biasGradient, inputGradient);
    }

    /**
     * The spatial arithmetic of a DL4J 2D convolution (also used by the depthwise rule): input and
     * output sizes, the top/left padding (Same mode: DL4J's own formula) and the stride and dilation.
     *
     * @param inH      input height, >= 1
     * @param inW      input width, >= 1
     * @param outH     output height
     * @param outW     output width
     * @param pad      {top, left} zero padding
     * @param strides  {vertical, horizontal}
     * @param dilation {vertical, horizontal}
     * @param same     whether the convolution mode is Same (im2col then pads bottom/right as needed)
     */
    record Geometry(int inH, int inW, int outH, int outW, int[] pad, int[] strides, int[] dilation, boolean same) {

        /**
         * @param conf  the layer's configuration
         * @param input the layer's input in NCHW order (a permuted view for NHWC); not modified
         */
        static Geometry of(org.deeplearning4j.nn.conf.layers.ConvolutionLayer conf, INDArray input) {
            int inH = (int) input.size(2);
            int inW = (int) input.size(3);
            int[] dilation = conf.getDilation();
            int[] kernel = conf.getKernelSize();
            int[] strides = conf.getStride();
            ConvolutionMode mode = conf.getConvolutionMode();
            int[] pad;
            int[] outSize;
            if (mode == ConvolutionMode.Same) {
                outSize = ConvolutionUtils.getOutputSize(input, kernel, strides, null, mode, dilation, CNN2DFormat.NCHW);
                pad = ConvolutionUtils.getSameModeTopLeftPadding(outSize, new int[] {inH, inW}, kernel, strides,
                        dilation);
            } else {
                pad = conf.getPadding();
                outSize = ConvolutionUtils.getOutputSize(input, kernel, strides, pad, mode, dilation, CNN2DFormat.NCHW);
            }
            return new Geometry(inH, inW, outSize[0], outSize[1], pad, strides, dilation, mode == ConvolutionMode.Same);
        }

        /**
         * The im2col patches of {@code input} [B, channels, inH, inW] (NCHW; not modified) for a kH x kW
         * kernel, in im2col's own channel-major layout [B, channels, kH, kW, outH, outW], written
         * contiguously.
         */
        INDArray patches(INDArray input, int kH, int kW) {
            INDArray columns = Nd4j.createUninitialized(input.dataType(),
                    new long[] {input.size(0), input.size(1), kH, kW, outH, outW}, 'c');
            Convolution.im2col(input, kH, kW, strides[0], strides[1], pad[0], pad[1], dilation[0], dilation[1], same,
                    columns);
            return columns;
        }

        /**
         * The input gradient of {@code layer} from the gradient of its patches [B, channels, kH, kW, outH,
         * outW] (col2im: every patch entry added back to the pixel it was read from), through the layer's
         * input dropout, in the layer's own data format ({@code nhwc}: a permuted view).
         */
        INDArray inputGradient(Layer layer, INDArray patchGradient, boolean nhwc) {
            INDArray image = Nd4j.createUninitialized(patchGradient.dataType(),
                    new long[] {patchGradient.size(0), patchGradient.size(1), inH, inW}, 'c');
            Convolution.col2im(patchGradient, image, strides[0], strides[1], pad[0], pad[1], inH, inW, dilation[0],
                    dilation[1]);
            LayerState.backpropDropout(layer, image);
            return nhwc ? image.permute(0, 2, 3, 1) : image;
        }
    }
}
