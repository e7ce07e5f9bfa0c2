package io.github.dpsgd4j.optimizers.pergradient;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.layers.convolution.SeparableConvolution2DLayer;
import org.deeplearning4j.nn.params.SeparableConvolutionParamInitializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Separable 2D convolutions (DL4J's {@code SeparableConvolution2D}, NCHW or NHWC, any stride,
 * padding, dilation and convolution mode): a depthwise convolution (every input channel c has its
 * own {@code depthMultiplier} filters; intermediate channel {@code c * depthMultiplier + m} sees
 * channel c only), then a pointwise 1x1 convolution P from the {@code channels * depthMultiplier}
 * intermediate channels to the output channels, then the bias; no activation in between.
 *
 * <p>With V_i = the depthwise output of example i [channels*multiplier, T] (T output positions,
 * recomputed from the stored input) and D_i = dL/dz_i [channelsOut, T]:
 * <ul>
 *   <li>pointwise weights and bias: a linear layer on V_i, gradient {@code D_i V_i^T} and
 *       {@code sum_t D_i[:, t]}: {@link PatchGradients} with V_i as the patches (materialised or
 *       Gram-matrix norms, whichever is cheaper for the shape, as {@link ConvolutionLayerRule});</li>
 *   <li>depthwise weights: with E_i = P^T D_i (dL/dV_i) and U_ic the im2col patches of channel c
 *       [kH*kW, T], the gradient of channel c's filters is {@code E_ic U_ic^T} [multiplier, kH*kW],
 *       materialised as {@link DepthwiseConvolution2DLayerRule} does (these weights are few).</li>
 * </ul>
 * Example i's squared norm is the sum of the two parts' ({@link CombinedBackward}).
 *
 * <p>DL4J's parameter layout (1.0.0-M2.1): depthwise weights {@code [multiplier, channels, kH, kW]},
 * pointwise weights {@code [channelsOut, channels*multiplier, 1, 1]} whose column
 * {@code c * multiplier + m} reads intermediate channel (c, m) (libnd4j's depthwise channel order),
 * bias first in the flat vector; the rule reads and writes them through DL4J's own per-parameter
 * views.
 *
 * <p>Left to the exact per-example loop: one input channel (libnd4j's forward pass then leaves the
 * pointwise weights out while its backward pass uses them) and Same mode with a stride larger than
 * the dilated kernel (DL4J's padding can go negative there).
 */
public final class SeparableConvolution2DLayerRule implements LayerRule {

    private final ConvolutionLayerRule.NormMethod method;

    /** A rule choosing the cheaper norm method for the pointwise weights per layer shape. */
    public SeparableConvolution2DLayerRule() {
        this(ConvolutionLayerRule.NormMethod.AUTOMATIC);
    }

    /** A rule with a fixed norm method for the pointwise weights (both are exact; they differ in cost). */
    public SeparableConvolution2DLayerRule(ConvolutionLayerRule.NormMethod method) {
        this.method = io.github.dpsgd4j.common.Checks.notNull("method", method);
    }

    /** Exactly DL4J's separable layer, with an element-wise activation and without layer normalisation. */
    @Override
    public LayerSupport supports(Layer layer) {
        if (layer.getClass() != SeparableConvolution2DLayer.class) {
            return LayerSupport.notHandled();
        }
        LayerSupport featureMaps = FeatureMaps.support(layer);
        if (!featureMaps.isSupported()) {
            return featureMaps;
        }
        SeparableConvolution2D conf = (SeparableConvolution2D) layer.conf().getLayer();
        if (conf.getNIn() == 1) {
            // libnd4j's sconv2d runs a plain conv2d with the depthwise weights for one input channel and
            // leaves the pointwise weights out, while sconv2d_bp uses them: DL4J's gradient does not follow
            // its forward pass there, and the exact loop reproduces DL4J.
            return LayerSupport.unsupported("layer " + LayerRules.describe(layer) + " has one input channel, where "
                    + "DL4J 1.0.0-M2.1's separable forward pass leaves out the pointwise weights and its backward pass "
                    + "does not; use a ConvolutionLayer for a single-channel input");
        }
        // DL4J's top/left padding goes negative there for some input sizes (DL4J then refuses the layer).
        return FeatureMaps.sameModeStrideSupport(layer, conf.getConvolutionMode(), 2, conf.getKernelSize(),
                conf.getStride(), conf.getDilation(), "DL4J's padding can go negative");
    }

    @Override
    public LayerBackward backward(Layer layer, INDArray outputGradient, boolean needInputGradient) {
        SeparableConvolution2DLayer conv = (SeparableConvolution2DLayer) layer;
        SeparableConvolution2D conf = (SeparableConvolution2D) layer.conf().getLayer();
        INDArray depthWeights = conv.getParam(SeparableConvolutionParamInitializer.DEPTH_WISE_WEIGHT_KEY);
        INDArray pointWeights = conv.getParam(SeparableConvolutionParamInitializer.POINT_WISE_WEIGHT_KEY);
        DataType dataType = depthWeights.dataType();
        long multiplier = depthWeights.size(0);
        long channels = depthWeights.size(1);
        int kH = (int) depthWeights.size(2);
        int kW = (int) depthWeights.size(3);
        long channelsOut = pointWeights.size(0);
        long intermediate = channels * multiplier;
        if (pointWeights.length() != channelsOut * intermediate) {
            throw new IllegalStateException("layer " + LayerRules.describe(layer) + " has pointwise weights "
                    + Arrays.toString(pointWeights.shape()) + ", expected [" + channelsOut + ", " + intermediate + ", 1, 1]");
        }
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
        FeatureMaps.checkOutputGradient(layer, epsilon, batch, channelsOut, outH, outW);

        // Depthwise patches in im2col's layout [B, channel, (kH, kW), (outH, outW)]: as [B*channels, kH*kW, T],
        // U_ic^T for every (example, channel).
        INDArray columns3d = g.patches(input, kH, kW).reshape('c', batch * channels, taps, positions);
        // Depthwise kernels per channel [channels, multiplier, kH*kW] from DL4J's [multiplier, channels, kH, kW],
        // repeated for every example.
        INDArray kernels = depthWeights.reshape('c', multiplier, channels, taps).permute(1, 0, 2).dup('c')
                .reshape('c', 1, intermediate * taps).broadcast(batch, intermediate * taps)
                .reshape('c', batch * channels, multiplier, taps);

        // V as [B*channels, multiplier, T] = [B, channels*multiplier, T], channel c*multiplier + m.
        INDArray depthOutput = Nd4j.matmul(kernels, columns3d).reshape('c', batch, intermediate, positions);
        INDArray pointwise2d = pointWeights.reshape('c', channelsOut, intermediate);
        // z and dL/dz as [B, channelsOut, T].
        INDArray z = PatchGradients.sharedLeftProduct(pointwise2d, depthOutput, false);
        boolean hasBias = conv.hasBias();
        INDArray delta = FeatureMaps.preActivationGradient(conf.getActivationFn(), z,
                hasBias ? conv.getParam(SeparableConvolutionParamInitializer.BIAS_KEY) : null, epsilon);
        // dL/dV = P^T D_i, as [B*channels, multiplier, T].
        INDArray depthDelta = PatchGradients.sharedLeftProduct(pointwise2d, delta, true)
                .reshape('c', batch * channels, multiplier, positions);

        INDArray inputGradient = null;
        if (needInputGradient) {
            INDArray gradientColumns = Nd4j.matmul(kernels, depthDelta, true, false, false)
                    .reshape('c', batch, channels, kH, kW, outH, outW);
            inputGradient = g.inputGradient(layer, gradientColumns, nhwc);
        }

        Map<String, INDArray> views = LayerState.gradientViews(layer);
        // Depthwise: per example and channel E_ic U_ic^T [multiplier, kH*kW]; a row per example in
        // (c, m, tap) order, matched by a permuted view of the (m, c, kH, kW) gradient.
        INDArray perExampleDepthwise = Nd4j.matmul(depthDelta, columns3d, false, true, false)
                .reshape('c', batch, intermediate * taps);
        INDArray depthView = LayerState.reshapeView(
                views.get(SeparableConvolutionParamInitializer.DEPTH_WISE_WEIGHT_KEY), multiplier, channels, taps)
                .permute(1, 0, 2);
        LayerBackward depthwise = new MaterialisedGradients(List.of(perExampleDepthwise), List.of(depthView), null);
        // Pointwise and bias: a linear layer on the depthwise output.
        INDArray pointView = LayerState.reshapeView(views.get(SeparableConvolutionParamInitializer.POINT_WISE_WEIGHT_KEY),
                channelsOut, intermediate);
        INDArray biasView = hasBias ? views.get(SeparableConvolutionParamInitializer.BIAS_KEY) : null;
        LayerBackward pointwise = PatchGradients.backward(method, depthOutput, delta, pointView, biasView, null);
        return new CombinedBackward(inputGradient, List.of(depthwise, pointwise));
    }
}
