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
 * Materialising is used when {@code K * channelsOut <= T * (K + channelsOut)}.
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
        if (((org.deeplearning4j.nn.conf.layers.BaseLayer) layer.conf().getLayer()).getActivationFn()
                instanceof org.nd4j.linalg.activations.impl.ActivationSoftmax) {
            return LayerSupport.unsupported("layer " + LayerRules.describe(layer)
                    + " uses a softmax activation, which is not element-wise over a feature map");
        }
        if (((ConvolutionLayer) layer).hasLayerNorm()) {
            return LayerSupport.unsupported("layer " + LayerRules.describe(layer) + " uses layer normalisation");
        }
        return LayerSupport.supported();
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
        int inH = (int) input.size(2);
        int inW = (int) input.size(3);
        long channelsOut = weights.size(0);
        long channelsIn = weights.size(1);
        int kH = (int) weights.size(2);
        int kW = (int) weights.size(3);
        int[] dilation = conf.getDilation();
        int[] kernel = conf.getKernelSize();
        int[] strides = conf.getStride();
        ConvolutionMode mode = conf.getConvolutionMode();
        int[] pad;
        int[] outSize;
        if (mode == ConvolutionMode.Same) {
            outSize = ConvolutionUtils.getOutputSize(input, kernel, strides, null, mode, dilation, CNN2DFormat.NCHW);
            pad = ConvolutionUtils.getSameModeTopLeftPadding(outSize, new int[] {inH, inW}, kernel, strides, dilation);
        } else {
            pad = conf.getPadding();
            outSize = ConvolutionUtils.getOutputSize(input, kernel, strides, pad, mode, dilation, CNN2DFormat.NCHW);
        }
        int outH = outSize[0];
        int outW = outSize[1];
        long positions = (long) outH * outW;
        long patch = channelsIn * kH * kW;

        // Patches: rows ordered (example, outH, outW), columns (channelIn, kH, kW).
        INDArray col = Nd4j.createUninitialized(dataType, new long[] {batch, outH, outW, channelsIn, kH, kW}, 'c');
        Convolution.im2col(input, kH, kW, strides[0], strides[1], pad[0], pad[1], dilation[0], dilation[1],
                mode == ConvolutionMode.Same, col.permute(0, 3, 4, 5, 1, 2));
        INDArray patches = col.reshape('c', batch * positions, patch);
        INDArray weights2d = weights.permute(3, 2, 1, 0).reshape('f', patch, channelsOut);

        INDArray z = patches.mmul(weights2d);
        INDArray bias = conv.hasBias() ? conv.getParam(ConvolutionParamInitializer.BIAS_KEY) : null;
        if (bias != null) {
            z.addiRowVector(bias);
        }
        // dL/dz in the same (example, outH, outW) x channelOut layout as z.
        INDArray epsilon2d = epsilon.permute(0, 2, 3, 1).dup('c').reshape('c', batch * positions, channelsOut);
        INDArray delta = conf.getActivationFn().backprop(z, epsilon2d).getFirst();

        INDArray inputGradient = null;
        if (needInputGradient) {
            INDArray gradientCols = delta.mmul(weights2d.transpose())
                    .reshape('c', batch, outH, outW, channelsIn, kH, kW).permute(0, 3, 4, 5, 1, 2);
            inputGradient = Nd4j.createUninitialized(dataType, new long[] {batch, channelsIn, inH, inW}, 'c');
            Convolution.col2im(gradientCols, inputGradient, strides[0], strides[1], pad[0], pad[1], inH, inW,
                    dilation[0], dilation[1]);
            LayerState.backpropDropout(layer, inputGradient);
            if (nhwc) {
                inputGradient = inputGradient.permute(0, 2, 3, 1);
            }
        }

        Map<String, INDArray> views = LayerState.gradientViews(layer);
        INDArray weightGradient2d = LayerState.reshapeView(views.get(ConvolutionParamInitializer.WEIGHT_KEY),
                channelsOut, patch);
        INDArray biasGradient = bias == null ? null : views.get(ConvolutionParamInitializer.BIAS_KEY);
        return patchBackward(method, patches, delta, batch, positions, weightGradient2d, biasGradient, inputGradient);
    }

    /**
     * The per-example part shared by every convolution that is a linear map on patches: with
     * {@code patches} U [B*T, K] (rows example-major) and {@code delta} D = dL/dz [B*T, channelsOut]
     * in the same row order, example i's weight gradient is {@code U_i^T D_i} [K, channelsOut] and
     * its bias gradient {@code sum_t D_i[t, :]}. Materialises or uses ghost norms by {@code method}
     * (AUTOMATIC: materialise when {@code K * channelsOut <= T * (K + channelsOut)}).
     *
     * @param weightGradient2d the weight gradient view as [channelsOut, K] (c order, shares memory)
     * @param biasGradient     the bias gradient view, or null without bias
     * @param inputGradient    passed through as the result's input gradient (may be null)
     */
    static LayerBackward patchBackward(NormMethod method, INDArray patches, INDArray delta, long batch,
                                       long positions, INDArray weightGradient2d, INDArray biasGradient,
                                       INDArray inputGradient) {
        long patch = patches.size(1);
        long channelsOut = delta.size(1);
        INDArray patches3d = patches.reshape('c', batch, positions, patch);
        INDArray delta3d = delta.reshape('c', batch, positions, channelsOut);
        INDArray perExampleBias = biasGradient == null ? null : delta3d.sum(1);
        boolean materialise = switch (method) {
            case MATERIALISE -> true;
            case GHOST -> false;
            case AUTOMATIC -> patch * channelsOut <= positions * (patch + channelsOut);
        };
        return materialise
                ? new Materialised(Nd4j.matmul(patches3d, delta3d, true, false, false)
                        .reshape('c', batch, patch * channelsOut), perExampleBias, weightGradient2d, biasGradient,
                        inputGradient, patch, channelsOut)
                : new Ghost(patches, delta, patches3d, delta3d, perExampleBias, weightGradient2d, biasGradient,
                        inputGradient, positions);
    }

    /**
     * Squared L2 norms of materialised per-example rows, by dp-core's clipping arithmetic (an upper
     * bound, so rounding only ever clips more).
     */
    private static double[] squaredRowNorms(INDArray rows) {
        return io.github.dpsgd4j.core.clip.ClipAndSum.squaredRowNorms(rows);
    }

    /** Per-example gradients held as a [B, K*channelsOut] matrix. */
    private static final class Materialised implements LayerBackward {
        private final INDArray perExample;
        private final INDArray perExampleBias;
        private final INDArray weightGradient2d;
        private final INDArray biasGradient;
        private final INDArray inputGradient;
        private final long patch;
        private final long channelsOut;

        Materialised(INDArray perExample, INDArray perExampleBias, INDArray weightGradient2d,
                     INDArray biasGradient, INDArray inputGradient, long patch, long channelsOut) {
            this.perExample = perExample;
            this.perExampleBias = perExampleBias;
            this.weightGradient2d = weightGradient2d;
            this.biasGradient = biasGradient;
            this.inputGradient = inputGradient;
            this.patch = patch;
            this.channelsOut = channelsOut;
        }

        @Override
        public INDArray inputGradient() {
            return inputGradient;
        }

        @Override
        public void addSquaredNorms(double[] squaredNorms) {
            double[] weight = squaredRowNorms(perExample);
            double[] bias = perExampleBias == null ? null : squaredRowNorms(perExampleBias);
            for (int i = 0; i < squaredNorms.length; i++) {
                squaredNorms[i] += bias == null ? weight[i] : weight[i] + bias[i];
            }
        }

        @Override
        public void accumulateClippedSum(INDArray factors) {
            INDArray row = factors.transpose();
            // sum_i c_i G_i as [K, channelsOut], added to the [channelsOut, K] view.
            weightGradient2d.addi(row.mmul(perExample).reshape('c', patch, channelsOut).transpose());
            if (biasGradient != null) {
                LayerState.addInto(biasGradient, row.mmul(perExampleBias));
            }
        }
    }

    /** Norms from Gram matrices; clipped sum by re-weighting the rows of dL/dz. */
    private static final class Ghost implements LayerBackward {
        private final INDArray patches;
        private final INDArray delta;
        private final INDArray patches3d;
        private final INDArray delta3d;
        private final INDArray perExampleBias;
        private final INDArray weightGradient2d;
        private final INDArray biasGradient;
        private final INDArray inputGradient;
        private final long positions;

        Ghost(INDArray patches, INDArray delta, INDArray patches3d, INDArray delta3d, INDArray perExampleBias,
              INDArray weightGradient2d, INDArray biasGradient, INDArray inputGradient, long positions) {
            this.patches = patches;
            this.delta = delta;
            this.patches3d = patches3d;
            this.delta3d = delta3d;
            this.perExampleBias = perExampleBias;
            this.weightGradient2d = weightGradient2d;
            this.biasGradient = biasGradient;
            this.inputGradient = inputGradient;
            this.positions = positions;
        }

        @Override
        public INDArray inputGradient() {
            return inputGradient;
        }

        @Override
        public void addSquaredNorms(double[] squaredNorms) {
            // In double: the Frobenius inner product of two Gram matrices cancels, and float
            // rounding could make a norm come out low (under-clipping).
            INDArray patches64 = patches3d.castTo(DataType.DOUBLE);
            INDArray delta64 = delta3d.castTo(DataType.DOUBLE);
            INDArray patchGram = Nd4j.matmul(patches64, patches64, false, true, false);
            INDArray deltaGram = Nd4j.matmul(delta64, delta64, false, true, false);
            double[] weight = patchGram.muli(deltaGram).sum(1, 2).castTo(DataType.DOUBLE).toDoubleVector();
            double[] bias = perExampleBias == null ? null : squaredRowNorms(perExampleBias);
            for (int i = 0; i < squaredNorms.length; i++) {
                // A Gram inner product can round slightly below 0 for a zero gradient.
                double w = Math.max(0, weight[i]);
                squaredNorms[i] += bias == null ? w : w + bias[i];
            }
        }

        @Override
        public void accumulateClippedSum(INDArray factors) {
            long batch = factors.rows();
            INDArray rowFactors = factors.reshape(batch, 1, 1)
                    .broadcast(batch, positions, 1).reshape('c', batch * positions, 1);
            INDArray scaled = delta.mulColumnVector(rowFactors);
            // U^T diag(c) D is [K, channelsOut]; the view is [channelsOut, K].
            Nd4j.gemm(scaled, patches, weightGradient2d, true, false, 1.0, 1.0);
            if (biasGradient != null) {
                LayerState.addInto(biasGradient, factors.transpose().mmul(perExampleBias));
            }
        }
    }
}
