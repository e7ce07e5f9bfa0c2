package io.github.dpsgd4j.optimizers.pergradient;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.layers.convolution.DepthwiseConvolution2DLayer;
import org.deeplearning4j.nn.params.DepthwiseConvolutionParamInitializer;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.convolution.Convolution;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
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
 * layout is DL4J's {@code [kH, kW, channels, depthMultiplier]}.
 */
public final class DepthwiseConvolution2DLayerRule implements LayerRule {

    /** Exactly DL4J's depthwise layer, with an element-wise activation and without layer normalisation. */
    @Override
    public LayerSupport supports(Layer layer) {
        if (layer.getClass() != DepthwiseConvolution2DLayer.class) {
            return LayerSupport.notHandled();
        }
        if (((DepthwiseConvolution2D) layer.conf().getLayer()).getActivationFn() instanceof ActivationSoftmax) {
            return LayerSupport.unsupported("layer " + LayerRules.describe(layer)
                    + " uses a softmax activation, which is not element-wise over a feature map");
        }
        if (((DepthwiseConvolution2DLayer) layer).hasLayerNorm()) {
            return LayerSupport.unsupported("layer " + LayerRules.describe(layer) + " uses layer normalisation");
        }
        return LayerSupport.supported();
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
        int inH = g.inH();
        int inW = g.inW();
        int outH = g.outH();
        int outW = g.outW();
        int[] strides = g.strides();
        int[] pad = g.pad();
        int[] dilation = g.dilation();
        long positions = (long) outH * outW;
        long taps = (long) kH * kW;
        if (epsilon.size(1) != channels * multiplier || epsilon.size(2) != outH || epsilon.size(3) != outW) {
            throw new IllegalStateException("layer " + LayerRules.describe(layer) + ": output gradient "
                    + Arrays.toString(epsilon.shape()) + " does not match the output [" + batch + ", "
                    + channels * multiplier + ", " + outH + ", " + outW + "]");
        }

        // Patches per channel: [channels, batch*T, kH*kW], rows ordered (example, outH, outW).
        INDArray col = Nd4j.createUninitialized(dataType, new long[] {channels, batch, outH, outW, kH, kW}, 'c');
        Convolution.im2col(input, kH, kW, strides[0], strides[1], pad[0], pad[1], dilation[0], dilation[1],
                g.same(), col.permute(1, 0, 4, 5, 2, 3));
        INDArray patches = col.reshape('c', channels, batch * positions, taps);
        // Kernels per channel: [channels, kH*kW, multiplier].
        INDArray kernels = weights.reshape('c', taps, channels, multiplier).permute(1, 0, 2).dup('c');

        INDArray z = Nd4j.matmul(patches, kernels);
        boolean hasBias = conv.hasBias();
        if (hasBias) {
            INDArray bias = conv.getParam(DepthwiseConvolutionParamInitializer.BIAS_KEY)
                    .reshape('c', channels, 1, multiplier);
            z.addi(bias.broadcast(channels, batch * positions, multiplier));
        }
        // dL/dz in the same [channels, batch*T, multiplier] layout.
        INDArray epsilon3d = epsilon.reshape('c', batch, channels, multiplier, outH, outW).permute(1, 0, 3, 4, 2)
                .dup('c').reshape('c', channels, batch * positions, multiplier);
        INDArray delta = conf.getActivationFn().backprop(z, epsilon3d).getFirst();

        INDArray inputGradient = null;
        if (needInputGradient) {
            INDArray gradientCols = Nd4j.matmul(delta, kernels, false, true, false)
                    .reshape('c', channels, batch, outH, outW, kH, kW).permute(1, 0, 4, 5, 2, 3);
            inputGradient = Nd4j.createUninitialized(dataType, new long[] {batch, channels, inH, inW}, 'c');
            Convolution.col2im(gradientCols, inputGradient, strides[0], strides[1], pad[0], pad[1], inH, inW,
                    dilation[0], dilation[1]);
            LayerState.backpropDropout(layer, inputGradient);
            if (nhwc) {
                inputGradient = inputGradient.permute(0, 2, 3, 1);
            }
        }

        // Per example and channel: U^T D [kH*kW, multiplier], then in the weights' (kH, kW, c, m) order.
        INDArray perPair = Nd4j.matmul(patches.reshape('c', channels * batch, positions, taps),
                delta.reshape('c', channels * batch, positions, multiplier), true, false, false);
        INDArray perExampleWeights = perPair.reshape('c', channels, batch, taps, multiplier).permute(1, 2, 0, 3)
                .dup('c').reshape('c', batch, taps * channels * multiplier);
        Map<String, INDArray> views = LayerState.gradientViews(layer);
        if (!hasBias) {
            return new MaterialisedGradients(List.of(perExampleWeights),
                    List.of(views.get(DepthwiseConvolutionParamInitializer.WEIGHT_KEY)), inputGradient);
        }
        INDArray perExampleBias = delta.reshape('c', channels, batch, positions, multiplier).sum(2)
                .permute(1, 0, 2).dup('c').reshape('c', batch, channels * multiplier);
        return new MaterialisedGradients(List.of(perExampleWeights, perExampleBias),
                List.of(views.get(DepthwiseConvolutionParamInitializer.WEIGHT_KEY),
                        views.get(DepthwiseConvolutionParamInitializer.BIAS_KEY)), inputGradient);
    }
}
