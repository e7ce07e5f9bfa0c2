package io.github.dpsgd4j.optimizers.pergradient;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * What the convolution rules (1D, 2D, 3D, transposed, depthwise, separable) share: the checks they
 * ask of a layer before handling it, and the steps of their backward passes that do not depend on
 * how the patches are formed. Each check returns {@link LayerSupport#supported()} when it holds and
 * otherwise an {@link LayerSupport#unsupported} answer whose reason names the layer (the layer then
 * goes to the next rule, in the end the exact per-example loop).
 */
final class FeatureMaps {

    private FeatureMaps() {
    }

    /**
     * What every convolution rule asks of its layer (a DL4J {@code BaseLayer}, as all its
     * convolution layers are): an element-wise activation (not softmax, which is not element-wise
     * over a feature map) and no layer normalisation.
     */
    static LayerSupport support(Layer layer) {
        if (((org.deeplearning4j.nn.conf.layers.BaseLayer) layer.conf().getLayer()).getActivationFn()
                instanceof ActivationSoftmax) {
            return LayerSupport.unsupported("layer " + LayerRules.describe(layer)
                    + " uses a softmax activation, which is not element-wise over a feature map");
        }
        if (((org.deeplearning4j.nn.layers.BaseLayer<?>) layer).hasLayerNorm()) {
            return LayerSupport.unsupported("layer " + LayerRules.describe(layer) + " uses layer normalisation");
        }
        return LayerSupport.supported();
    }

    /**
     * A convolution in Same mode must not have a stride larger than its dilated kernel on any of
     * its first {@code axes} axes: DL4J's Same-mode padding can go negative there, which the rules'
     * zero padding does not represent.
     *
     * @param consequence what goes wrong there, ending the reason ("where ...")
     */
    static LayerSupport sameModeStrideSupport(Layer layer, ConvolutionMode mode, int axes, int[] kernel, int[] stride,
                                              int[] dilation, String consequence) {
        if (mode != ConvolutionMode.Same) {
            return LayerSupport.supported();
        }
        for (int d = 0; d < axes; d++) {
            int extent = dilatedKernel(kernel[d], dilation[d]);
            if (extent < stride[d]) {
                return LayerSupport.unsupported("layer " + LayerRules.describe(layer) + " uses ConvolutionMode.Same "
                        + "with a stride (" + stride[d] + ") larger than its dilated kernel (" + extent + "), where "
                        + consequence);
            }
        }
        return LayerSupport.supported();
    }

    /**
     * A transposed convolution in Same mode must have a non-negative padding
     * ({@link #transposedSamePadding}) on each of its first {@code axes} axes: libnd4j pads by a
     * negative amount otherwise, which ND4J's im2col/col2im refuse.
     */
    static LayerSupport transposedSameModeSupport(Layer layer, ConvolutionMode mode, int axes, int[] kernel,
                                                  int[] stride, int[] dilation) {
        if (mode != ConvolutionMode.Same) {
            return LayerSupport.supported();
        }
        for (int d = 0; d < axes; d++) {
            if (transposedSamePadding(kernel[d], stride[d], dilation[d]) < 0) {
                return LayerSupport.unsupported("layer " + LayerRules.describe(layer) + " uses ConvolutionMode.Same "
                        + "with a stride (" + stride[d] + ") at least 2 beyond its dilated kernel ("
                        + dilatedKernel(kernel[d], dilation[d]) + "), where libnd4j pads by a negative amount");
            }
        }
        return LayerSupport.supported();
    }

    /**
     * Layers whose DL4J 1.0.0-M2.1 implementation leaves input dropout out of its input gradient
     * are left to the exact loop, which reproduces DL4J.
     *
     * @param dl4jName the DL4J layer's name in the reason, e.g. {@code "Deconvolution2D"}
     */
    static LayerSupport inputDropoutSupport(Layer layer, String dl4jName) {
        if (layer.conf().getLayer().getIDropout() == null) {
            return LayerSupport.supported();
        }
        return LayerSupport.unsupported("layer " + LayerRules.describe(layer) + " uses input dropout, which DL4J "
                + "1.0.0-M2.1's " + dl4jName + " leaves out of its input gradient; the exact loop reproduces DL4J");
    }

    /**
     * The top/left padding libnd4j's {@code deconv2d}/{@code deconv3d} use in Same mode, where the
     * output is {@code stride * in}: {@code ((in - 1) * stride + dilatedKernel - stride * in) / 2},
     * i.e. {@code (dilatedKernel - stride) / 2} rounded toward zero (negative when the stride
     * exceeds the dilated kernel by 2 or more; such layers are not supported).
     */
    static int transposedSamePadding(int kernel, int stride, int dilation) {
        return (dilatedKernel(kernel, dilation) - stride) / 2;
    }

    private static int dilatedKernel(int kernel, int dilation) {
        return (kernel - 1) * dilation + 1;
    }

    /**
     * Fails when the output gradient's shape is not {@code expected} (the output the rule computed
     * from the stored input): the layer's forward pass and this rule then disagree.
     */
    static void checkOutputGradient(Layer layer, INDArray outputGradient, long... expected) {
        if (!Arrays.equals(outputGradient.shape(), expected)) {
            throw new IllegalStateException("layer " + LayerRules.describe(layer) + ": output gradient "
                    + Arrays.toString(outputGradient.shape()) + " does not match the output "
                    + Arrays.toString(expected));
        }
    }

    /**
     * dL/dz of an element-wise activation: adds {@code bias} (null for none) to the pre-activation
     * {@code z} in place along dimension 1 (the output channels), then backpropagates
     * {@code outputGradient} (dL/da, in any layout with z's elements in c order) through the
     * activation at z. The output gradient is copied first: an activation's backprop may work in
     * place.
     */
    static INDArray preActivationGradient(IActivation activation, INDArray z, INDArray bias,
                                          INDArray outputGradient) {
        if (bias != null) {
            Nd4j.getExecutioner().exec(new BroadcastAddOp(z, bias.reshape(z.size(1)), z, 1));
        }
        return activation.backprop(z, outputGradient.dup('c').reshape('c', z.shape())).getFirst();
    }
}
