package io.github.dpsgd4j.optimizers.pergradient;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.LocallyConnected1D;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * DL4J's {@code LocallyConnected1D} (a SameDiff layer over NCW sequences [B, channelsIn, T], any
 * kernel, stride and padding, Truncate, Strict or Same mode, with or without bias): a 1D convolution
 * whose weights are not shared, W [outLength, kernel*channelsIn, nOut] (patch entries in (channel,
 * tap) order) and one bias [nOut] for all steps. It is {@link LocallyConnectedGradients} on a 2D layer
 * of width one: example i's squared norm is exactly
 * {@code sum_t |u_{i,t}|^2 |delta_{i,t}|^2 + |sum_t delta_{i,t}|^2} and the clipped sum one batched
 * product over output steps. The gradients are DL4J's, twice those of the forward pass
 * ({@link LayerState#SAME_DIFF_GRADIENT_SCALE}). DL4J's forward pass ignores the sequence mask (the
 * layer above, e.g. masked pooling or a masked loss, zeroes the gradient of masked steps), and so
 * does this rule.
 */
public final class LocallyConnected1DLayerRule implements LayerRule {

    /**
     * DL4J's SameDiff implementation of {@code LocallyConnected1D}, with the same conditions as
     * {@link LocallyConnected2DLayerRule#supports} (no dropout, dilation 1, Truncate, Strict or Same
     * mode, an element-wise activation).
     */
    @Override
    public LayerSupport supports(Layer layer) {
        if (layer.getClass() != org.deeplearning4j.nn.layers.samediff.SameDiffLayer.class
                || layer.conf() == null || !(layer.conf().getLayer() instanceof LocallyConnected1D conf)) {
            return LayerSupport.notHandled();
        }
        String reason = LocallyConnected2DLayerRule.unsupportedReason(conf.getIDropout() != null,
                conf.getDilation() != 1, conf.getCm(), conf.getActivation());
        return reason == null ? LayerSupport.supported()
                : LayerSupport.unsupported("layer " + LayerRules.describe(layer) + " " + reason);
    }

    @Override
    public LayerBackward backward(Layer layer, INDArray outputGradient, boolean needInputGradient) {
        LocallyConnected1D conf = (LocallyConnected1D) layer.conf().getLayer();
        INDArray input = LayerState.input(layer, layer.getParam(LocallyConnectedGradients.WEIGHTS).dataType());
        long[] expected = {input.size(0), conf.getNOut(), conf.getOutputSize()};
        if (input.rank() != 3 || !Arrays.equals(outputGradient.shape(), expected)) {
            throw new IllegalStateException("layer " + LayerRules.describe(layer) + " expects an NCW input and an output "
                    + "gradient " + Arrays.toString(expected) + ", got " + Arrays.toString(input.shape()) + " and "
                    + Arrays.toString(outputGradient.shape()));
        }
        // DL4J pads (padding, paddingR) in Same mode, and padding on both sides otherwise.
        int after = conf.getCm() == ConvolutionMode.Same ? conf.getPaddingR() : conf.getPadding();
        LocallyConnectedGradients.Window window = new LocallyConnectedGradients.Window(new int[] {conf.getKernel(), 1},
                new int[] {conf.getStride(), 1}, new int[] {conf.getPadding(), 0}, new int[] {after, 0});
        return LocallyConnectedGradients.backward(layer, LocallyConnectedGradients.elementWise(conf.getActivation()),
                window, input.reshape(input.size(0), input.size(1), input.size(2), 1),
                outputGradient.reshape(expected[0], expected[1], expected[2], 1), needInputGradient, false)
                .withInputGradientShape(input.shape());
    }
}
