package io.github.dpsgd4j.optimizers.pergradient;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.layers.convolution.Convolution1DLayer;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.convolution.Convolution;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;
import java.util.Map;

/**
 * 1D convolutions over sequences (DL4J's {@code Convolution1DLayer} in NCW format, any kernel size,
 * stride, padding, dilation and convolution mode including {@code Causal}), treated as a linear
 * layer on windows of the sequence.
 *
 * <p>With the input of example i zero-padded in time as the convolution mode asks (Truncate/Strict:
 * {@code padding} both sides; Same: {@code (outLength-1)*stride + (k-1)*dilation + 1 - length}
 * split with the smaller half first; Causal: {@code (k-1)*dilation} before, none after), U_i the
 * window matrix [T', k*channelsIn] (row t holds {@code x[c, t*stride + j*dilation]} in (j, c)
 * order, the order of DL4J's flat weight parameter) and D_i = dL/dz_i [T', channelsOut], the per-example weight gradient is
 * {@code U_i^T D_i} and the bias gradient {@code sum_t D_i[t, :]}: the same algebra as the 2D rule,
 * whose cost choice (materialise or ghost norms, Bu, Mao and Xu 2022, arXiv:2205.10683) this rule
 * shares through {@link PatchGradients}
 * (as channel-major views of its position-major windows: for a 1D window the position-major
 * im2col and one matrix product per step measured faster than the channel-major layout).
 *
 * <p>Masks: DL4J multiplies the layer's output by the (reduced) sequence mask in the forward pass
 * but its backward pass takes the incoming gradient as it is; this rule does the same, so it agrees
 * with DL4J's gradients with and without masks (the layer above, e.g. masked global pooling, sends
 * zero gradient to masked steps).
 */
public final class Convolution1DLayerRule implements LayerRule {

    private final ConvolutionLayerRule.NormMethod method;

    /** A rule choosing the cheaper norm method per layer shape. */
    public Convolution1DLayerRule() {
        this(ConvolutionLayerRule.NormMethod.AUTOMATIC);
    }

    /** A rule with a fixed norm method (both are exact; they differ in cost). */
    public Convolution1DLayerRule(ConvolutionLayerRule.NormMethod method) {
        this.method = io.github.dpsgd4j.common.Checks.notNull("method", method);
    }

    /**
     * Exactly DL4J's {@code Convolution1DLayer} (not the 2D layer or subclasses), with an
     * element-wise activation and without layer normalisation.
     */
    @Override
    public LayerSupport supports(Layer layer) {
        if (layer.getClass() != Convolution1DLayer.class) {
            return LayerSupport.notHandled();
        }
        LayerSupport featureMaps = FeatureMaps.support(layer);
        if (!featureMaps.isSupported()) {
            return featureMaps;
        }
        if (((org.deeplearning4j.nn.conf.layers.Convolution1DLayer) layer.conf().getLayer()).getRnnDataFormat()
                == RNNFormat.NWC) {
            return LayerSupport.unsupported("layer " + LayerRules.describe(layer) + " uses the NWC data format, whose "
                    + "backward pass fails inside DL4J 1.0.0-M2.1 itself (conv1d_bp); use RNNFormat.NCW");
        }
        org.deeplearning4j.nn.conf.layers.Convolution1DLayer conf =
                (org.deeplearning4j.nn.conf.layers.Convolution1DLayer) layer.conf().getLayer();
        // libnd4j's Same-mode padding formula goes negative there and DL4J's gradient then does not match
        // its own forward pass; the exact loop reproduces DL4J's gradient.
        return FeatureMaps.sameModeStrideSupport(layer, conf.getConvolutionMode(), 1, conf.getKernelSize(),
                conf.getStride(), conf.getDilation(), "DL4J's own conv1d gradient does not follow its forward pass");
    }

    @Override
    public LayerBackward backward(Layer layer, INDArray outputGradient, boolean needInputGradient) {
        Convolution1DLayer conv = (Convolution1DLayer) layer;
        org.deeplearning4j.nn.conf.layers.Convolution1DLayer conf =
                (org.deeplearning4j.nn.conf.layers.Convolution1DLayer) layer.conf().getLayer();
        INDArray weights = conv.getParam(ConvolutionParamInitializer.WEIGHT_KEY);
        DataType dataType = weights.dataType();
        long channelsOut = weights.size(0);
        long channelsIn = weights.size(1);
        int k = conf.getKernelSize()[0];
        int stride = conf.getStride()[0];
        int dilation = conf.getDilation()[0];
        long patch = channelsIn * k;
        if (weights.length() != channelsOut * patch) {
            throw new IllegalStateException("layer " + LayerRules.describe(layer) + " has weights "
                    + Arrays.toString(weights.shape()) + ", expected [" + channelsOut + ", " + channelsIn + ", " + k + ", 1]");
        }

        INDArray input = LayerState.input(layer, dataType);
        INDArray epsilon = outputGradient.castTo(dataType);
        long batch = input.size(0);
        int length = (int) input.size(2);
        int[] padding = padding(conf.getConvolutionMode(), length, k, stride, dilation, conf.getPadding()[0]);
        int paddedLength = length + padding[0] + padding[1];
        int outLength = (paddedLength - ((k - 1) * dilation + 1)) / stride + 1;
        FeatureMaps.checkOutputGradient(layer, epsilon, batch, channelsOut, outLength);
        INDArray padded = input;
        if (paddedLength != length) {
            padded = Nd4j.zeros(dataType, batch, channelsIn, paddedLength);
            padded.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(padding[0], padding[0] + length))
                    .assign(input);
        }

        // Windows: rows ordered (example, t), columns (j, channelIn): a 2D im2col with width 1. DL4J
        // hands the flat [nOut, nIn, k, 1] parameter to libnd4j reshaped (not permuted) to its
        // [k, nIn, nOut] kernel layout, so parameter element (j*nIn + c)*nOut + o is the kernel tap
        // (j, c, o): the weights are a [k*nIn, nOut] matrix with rows in (j, c) order.
        INDArray col = Nd4j.createUninitialized(dataType, new long[] {batch, outLength, 1, k, channelsIn, 1}, 'c');
        Convolution.im2col(padded.reshape(batch, channelsIn, paddedLength, 1), k, 1, stride, 1, 0, 0, dilation, 1,
                false, col.permute(0, 4, 3, 5, 1, 2));
        INDArray patches = col.reshape('c', batch * outLength, patch);
        INDArray weights2d = weights.reshape('c', patch, channelsOut);

        INDArray z = patches.mmul(weights2d);
        INDArray bias = conv.hasBias() ? conv.getParam(ConvolutionParamInitializer.BIAS_KEY) : null;
        if (bias != null) {
            z.addiRowVector(bias.reshape(1, channelsOut));
        }
        INDArray epsilon2d = epsilon.permute(0, 2, 1).dup('c').reshape('c', batch * outLength, channelsOut);
        INDArray delta = conf.getActivationFn().backprop(z, epsilon2d).getFirst();

        INDArray inputGradient = null;
        if (needInputGradient) {
            INDArray gradientCols = delta.mmul(weights2d.transpose())
                    .reshape('c', batch, outLength, 1, k, channelsIn, 1).permute(0, 4, 3, 5, 1, 2);
            INDArray paddedGradient = Nd4j.createUninitialized(dataType, new long[] {batch, channelsIn, paddedLength, 1}, 'c');
            Convolution.col2im(gradientCols, paddedGradient, stride, 1, 0, 0, paddedLength, 1, dilation, 1);
            inputGradient = paddedGradient.reshape(batch, channelsIn, paddedLength);
            if (paddedLength != length) {
                inputGradient = inputGradient.get(NDArrayIndex.all(), NDArrayIndex.all(),
                        NDArrayIndex.interval(padding[0], padding[0] + length)).dup('c');
            }
            LayerState.backpropDropout(layer, inputGradient);
        }

        Map<String, INDArray> views = LayerState.gradientViews(layer);
        // [nOut, k*nIn] view of the [k*nIn, nOut] layout (shares memory).
        INDArray weightGradient2d = LayerState.reshapeView(views.get(ConvolutionParamInitializer.WEIGHT_KEY),
                patch, channelsOut).transpose();
        INDArray biasGradient = bias == null ? null : views.get(ConvolutionParamInitializer.BIAS_KEY);
        // PatchGradients takes the channel-major layout: [B, K, T] and [B, channelsOut, T] as views.
        return PatchGradients.backward(method, patches.reshape('c', batch, outLength, patch).permute(0, 2, 1),
                delta.reshape('c', batch, outLength, channelsOut).permute(0, 2, 1), weightGradient2d, biasGradient,
                inputGradient);
    }

    /**
     * Zero padding {before, after} in time for a convolution mode, as libnd4j's {@code conv1d} pads.
     *
     * @param length   the input length, >= 1
     * @param padding  the configured padding (used by Truncate and Strict only)
     */
    static int[] padding(ConvolutionMode mode, int length, int k, int stride, int dilation, int padding) {
        int extent = (k - 1) * dilation + 1;
        switch (mode) {
            case Same: {
                int outLength = (length + stride - 1) / stride;
                int total = Math.max(0, (outLength - 1) * stride + extent - length);
                return new int[] {total / 2, total - total / 2};
            }
            case Causal:
                return new int[] {extent - 1, 0};
            default:
                return new int[] {padding, padding};
        }
    }
}
