package io.github.dpsgd4j.optimizers.pergradient;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.LocallyConnected2D;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * DL4J's {@code LocallyConnected2D} (a SameDiff layer; NCHW or NHWC, any kernel, stride and padding,
 * Truncate, Strict or Same mode, with or without bias): a 2D convolution whose weights are not
 * shared, W [outH*outW, channelsIn*kH*kW, nOut] and one bias [nOut] for all locations. The math,
 * including DL4J's own order of locations, is {@link LocallyConnectedGradients}: example i's squared
 * norm is exactly {@code sum_p |u_{i,p}|^2 |delta_{i,p}|^2 + |sum_p delta_{i,p}|^2} and the clipped
 * sum one batched product over locations, nothing per example materialised. The gradients are
 * DL4J's, twice those of the forward pass ({@link LayerState#SAME_DIFF_GRADIENT_SCALE}).
 */
public final class LocallyConnected2DLayerRule implements LayerRule {

    /**
     * DL4J's SameDiff implementation of {@code LocallyConnected2D} without dropout, with dilation 1
     * (DL4J's forward pass does not apply dilation, though its output size counts it), in Truncate,
     * Strict or Same mode, and with an element-wise activation DL4J's SameDiff layers can run
     * ({@link LocallyConnectedGradients#elementWise}).
     */
    @Override
    public LayerSupport supports(Layer layer) {
        if (layer.getClass() != org.deeplearning4j.nn.layers.samediff.SameDiffLayer.class
                || layer.conf() == null || !(layer.conf().getLayer() instanceof LocallyConnected2D conf)) {
            return LayerSupport.notHandled();
        }
        String reason = unsupportedReason(conf.getIDropout() != null,
                conf.getDilation() != null && (conf.getDilation()[0] != 1 || conf.getDilation()[1] != 1),
                conf.getCm(), conf.getActivation());
        return reason == null ? LayerSupport.supported()
                : LayerSupport.unsupported("layer " + LayerRules.describe(layer) + " " + reason);
    }

    /** Why a locally connected layer has no book-keeping rule, or null if it has one (shared with the 1D rule). */
    static String unsupportedReason(boolean dropout, boolean dilated, ConvolutionMode mode,
                                    org.nd4j.linalg.activations.Activation activation) {
        if (dropout) {
            return "uses dropout";
        }
        if (dilated) {
            return "uses a dilation other than 1, which DL4J's forward pass does not apply";
        }
        if (mode != ConvolutionMode.Truncate && mode != ConvolutionMode.Strict && mode != ConvolutionMode.Same) {
            return "uses convolution mode " + mode + " (the rule handles Truncate, Strict and Same)";
        }
        if (LocallyConnectedGradients.elementWise(activation) == null) {
            return "uses activation " + activation + ", which is not element-wise or not matched to DL4J's SameDiff form";
        }
        return null;
    }

    @Override
    public LayerBackward backward(Layer layer, INDArray outputGradient, boolean needInputGradient) {
        LocallyConnected2D conf = (LocallyConnected2D) layer.conf().getLayer();
        boolean nhwc = conf.getFormat() == CNN2DFormat.NHWC;
        INDArray input = LayerState.input(layer, layer.getParam(LocallyConnectedGradients.WEIGHTS).dataType());
        int[] outputSize = conf.getOutputSize();
        long[] expected = nhwc ? new long[] {input.size(0), outputSize[0], outputSize[1], conf.getNOut()}
                : new long[] {input.size(0), conf.getNOut(), outputSize[0], outputSize[1]};
        if (input.rank() != 4 || !Arrays.equals(outputGradient.shape(), expected)) {
            throw new IllegalStateException("layer " + LayerRules.describe(layer) + " expects image input and an output "
                    + "gradient " + Arrays.toString(expected) + ", got " + Arrays.toString(input.shape()) + " and "
                    + Arrays.toString(outputGradient.shape()));
        }
        // DL4J pads (padding, paddingBr) in Same mode, and padding on both sides otherwise.
        int[] padding = conf.getPadding();
        int[] after = conf.getCm() == ConvolutionMode.Same ? conf.getPaddingBr() : padding;
        return LocallyConnectedGradients.backward(layer, LocallyConnectedGradients.elementWise(conf.getActivation()),
                new LocallyConnectedGradients.Window(conf.getKernel(), conf.getStride(), padding, after), input,
                outputGradient, needInputGradient, nhwc);
    }
}
