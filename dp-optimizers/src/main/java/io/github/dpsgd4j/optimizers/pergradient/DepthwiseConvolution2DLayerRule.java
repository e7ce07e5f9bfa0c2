package io.github.dpsgd4j.optimizers.pergradient;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.layers.convolution.DepthwiseConvolution2DLayer;
import org.deeplearning4j.nn.params.DepthwiseConvolutionParamInitializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

/**
 * Depthwise 2D convolutions (DL4J's {@code DepthwiseConvolution2D}, NCHW or NHWC, any stride,
 * padding, dilation and convolution mode): every input channel c has its own {@code depthMultiplier}
 * filters, and output channel {@code c * depthMultiplier + m} sees channel c only.
 *
 * <p>With U_ic the im2col patches of channel c of example i [T, kH*kW] (T output positions) and
 * D_ic = dL/dz for its output channels [T, depthMultiplier], example i's weight gradient is
 * {@code U_ic^T D_ic} for every c and its bias gradient {@code sum_t D_ic[t, :]}. The weights hold
 * kH*kW*channels*depthMultiplier values, usually far fewer than a layer's activations, so the
 * per-example gradients are materialised (one batched product over examples and channels, the
 * work of the ordinary weight gradient) and held by {@link MaterialisedGradients}. The weights'
 * layout is DL4J's {@code [kH, kW, channels, depthMultiplier]}. Patches are unfolded in im2col's
 * channel-major layout (contiguous writes, as in {@link PatchGradients}), with the 2D rule's
 * geometry ({@link ConvolutionLayerRule.Geometry}).
 */
public final class DepthwiseConvolution2DLayerRule implements LayerRule {

    /** Exactly DL4J's depthwise layer, with an element-wise activation and without layer normalisation. */
    @Override
    public LayerSupport supports(Layer layer) {
        if (layer.getClass() != DepthwiseConvolution2DLayer.class) {
            return LayerSupport.notHandled();
        }
        return FeatureMaps.support(layer);
    }

    @Override
    public LayerBackward backward(Layer layer, INDArray outputGradient, boolean needInputGradient) {
        DepthwiseConvolution2DLayer conv = (DepthwiseConvolution2DLayer) layer;
        DepthwiseConvolution2D conf = (DepthwiseConvolution2D) layer.conf().getLayer();
        INDArray weights = conv.getParam(DepthwiseConvolutionParamInitializer.WEIGHT_KEY);
        DataType dataType = weights.dataType();
        int kH = (int) weights.size(0);
        int kW = (int) weights.size(1);
        long channels = weights.size(2);
        long multiplier = weights.size(3);
        boolean nhwc = conf.getCnn2dDataFormat() == CNN2DFormat.NHWC;

        INDArray input = LayerState.input(layer, dataType);
        INDArray epsilon = outputGradient.castTo(dataType);
        if (nhwc) {
            input = input.permute(0, 3, 1, 2);
            epsilon = epsilon.permute(0, 3, 1, 2);
        }
        long batch = input.size(0);
        ConvolutionLayerRule.Geometry g = ConvolutionLayerRule.Geometry.of(conf, input);
        int outH = g.outH();
        int outW = g.outW();
        long positions = (long) outH * outW;
        long taps = (long) kH * kW;
        FeatureMaps.checkOutputGradient(layer, epsilon, batch, channels * multiplier, outH, outW);

        // Patches in im2col's own layout [B, channel, (kH, kW), (outH, outW)], written contiguously:
        // as [B*channels, kH*kW, T], the transposed patch matrix U_ic^T of every (example, channel).
        INDArray columns3d = g.patches(input, kH, kW).reshape('c', batch * channels, taps, positions);
        // Kernels per channel [channels, multiplier, kH*kW] from DL4J's [kH, kW, channels, multiplier],
        // repeated for every example (kH*kW*channels*multiplier values each).
        INDArray kernels = weights.reshape('c', taps, channels, multiplier).permute(1, 2, 0).dup('c')
                .reshape('c', 1, channels * multiplier * taps).broadcast(batch, channels * multiplier * taps)
                .reshape('c', batch * channels, multiplier, taps);

        // z as [B*channels, multiplier, T], i.e. [B, channels*multiplier, T]: the NCHW output order; dL/dz
        // in the same layout.
        INDArray z = Nd4j.matmul(kernels, columns3d).reshape('c', batch, channels * multiplier, positions);
        boolean hasBias = conv.hasBias();
        INDArray delta = FeatureMaps.preActivationGradient(conf.getActivationFn(), z,
                hasBias ? conv.getParam(DepthwiseConvolutionParamInitializer.BIAS_KEY) : null, epsilon)
                .reshape('c', batch * channels, multiplier, positions);

        INDArray inputGradient = null;
        if (needInputGradient) {
            INDArray gradientColumns = Nd4j.matmul(kernels, delta, true, false, false)
                    .reshape('c', batch, channels, kH, kW, outH, outW);
            inputGradient = g.inputGradient(layer, gradientColumns, nhwc);
        }

        // Per example and channel: D_ic^T U_ic [multiplier, kH*kW]; a row per example in (c, m, tap)
        // order, matched by a permuted view of the weights' (kH, kW, c, m) gradient.
        INDArray perExampleWeights = Nd4j.matmul(delta, columns3d, false, true, false)
                .reshape('c', batch, channels * multiplier * taps);
        Map<String, INDArray> views = LayerState.gradientViews(layer);
        INDArray weightView = LayerState.reshapeView(views.get(DepthwiseConvolutionParamInitializer.WEIGHT_KEY),
                taps, channels, multiplier).permute(1, 2, 0);
        if (!hasBias) {
            return new MaterialisedGradients(List.of(perExampleWeights), List.of(weightView), inputGradient);
        }
        INDArray perExampleBias = delta.reshape('c', batch, channels * multiplier, positions).sum(2);
        return new MaterialisedGradients(List.of(perExampleWeights, perExampleBias),
                List.of(weightView, views.get(DepthwiseConvolutionParamInitializer.BIAS_KEY)), inputGradient);
    }
}
