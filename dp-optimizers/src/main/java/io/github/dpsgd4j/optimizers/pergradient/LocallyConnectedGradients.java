package io.github.dpsgd4j.optimizers.pergradient;

import io.github.dpsgd4j.core.clip.ClipAndSum;
import org.deeplearning4j.nn.api.Layer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationCube;
import org.nd4j.linalg.activations.impl.ActivationELU;
import org.nd4j.linalg.activations.impl.ActivationHardTanH;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftPlus;
import org.nd4j.linalg.activations.impl.ActivationSoftSign;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.convolution.Convolution;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;
import java.util.Map;

/**
 * The math shared by the locally connected rules ({@link LocallyConnected2DLayerRule}, and
 * {@link LocallyConnected1DLayerRule} as a 2D layer of width one): a layer with its own weights per
 * output location p, {@code z_{i,p} = u_{i,p} W_p + b} (u_{i,p} the flattened input patch of example i
 * at p, in (channel, kernel row, kernel column) order; W [P, F, nOut]; one bias b [nOut] shared by all
 * locations), then an element-wise activation.
 *
 * <p>Because no two locations share a weight, example i's gradient of W_p is the single outer product
 * {@code u_{i,p}^T delta_{i,p}}, so its squared norm is exactly
 * {@code sum_p |u_{i,p}|^2 |delta_{i,p}|^2} (no Gram matrix and nothing materialised), its bias
 * gradient is {@code sum_p delta_{i,p}}, and the clipped sum of W_p is
 * {@code sum_i c_i u_{i,p}^T delta_{i,p}}: one batched product over locations, the work of the
 * ordinary weight gradient. The input gradient is {@code delta_{i,p} W_p^T}, folded back onto the
 * image (col2im). Patches and deltas are held location-major: [P, B, F] and [P, B, nOut].
 *
 * <p>DL4J 1.0.0-M2.1 builds the layer from slices {@code x[:, :, i*sH : i*sH + kH, j*sW : j*sW + kW]}
 * of the zero-padded input (dilation is not applied) and files the slice of (i, j) under location
 * {@code p = j*outH + i}, while it reads the output of location p at (p / outW, p % outW) (row-major):
 * the two orders agree only for one row or one column. This class reproduces both orders, so its
 * gradients are DL4J's.
 *
 * <p>Not thread-safe; used by one training step.
 */
final class LocallyConnectedGradients implements LayerBackward {

    /** DL4J's names of the locally connected layers' parameters. */
    static final String WEIGHTS = "W";
    static final String BIAS = "b";

    private final INDArray patches;
    private final INDArray delta;
    private final INDArray perExampleBias;
    private final INDArray weightGradient;
    private final INDArray biasGradient;
    private final INDArray inputGradient;

    private LocallyConnectedGradients(INDArray patches, INDArray delta, INDArray perExampleBias,
                                      INDArray weightGradient, INDArray biasGradient, INDArray inputGradient) {
        this.patches = patches;
        this.delta = delta;
        this.perExampleBias = perExampleBias;
        this.weightGradient = weightGradient;
        this.biasGradient = biasGradient;
        this.inputGradient = inputGradient;
    }

    /** The same gradients with the input gradient (if any) reshaped to {@code shape} (the 1D rule's [B, C, T]). */
    LocallyConnectedGradients withInputGradientShape(long... shape) {
        return new LocallyConnectedGradients(patches, delta, perExampleBias, weightGradient, biasGradient,
                inputGradient == null ? null : inputGradient.reshape('c', shape));
    }

    /**
     * The element-wise activation DL4J's SameDiff forward pass applies for {@code activation}, or null
     * for one that is not element-wise over a feature map (softmax) or whose SameDiff form is not
     * matched here (GELU; DL4J's SameDiff layers cannot run the others). LEAKYRELU has alpha = 0:
     * DL4J 1.0.0-M2.1's {@code Activation.asSameDiff} builds it so.
     */
    static IActivation elementWise(Activation activation) {
        if (activation == null) {
            return null;
        }
        return switch (activation) {
            case IDENTITY -> new ActivationIdentity();
            case TANH -> new ActivationTanH();
            case SIGMOID -> new ActivationSigmoid();
            case RELU -> new ActivationReLU();
            // DL4J's SameDiff LEAKYRELU has alpha 0 but, unlike RELU, slope 1 at exactly 0 (a zero-padded patch
            // with a zero bias): its own leaky-ReLU backward op gives that.
            case LEAKYRELU -> new ActivationLReLU(0.0);
            case ELU -> new ActivationELU();
            case SOFTPLUS -> new ActivationSoftPlus();
            case SOFTSIGN -> new ActivationSoftSign();
            case HARDTANH -> new ActivationHardTanH();
            case CUBE -> new ActivationCube();
            default -> null;
        };
    }

    /**
     * Where a locally connected layer's windows lie on its input (DL4J's own fields; dilation is 1).
     *
     * @param kernel    {kH, kW}, >= 1
     * @param stride    {sH, sW}, >= 1
     * @param padBefore {top, left} zero padding, >= 0
     * @param padAfter  {bottom, right} zero padding, >= 0
     */
    record Window(int[] kernel, int[] stride, int[] padBefore, int[] padAfter) {
    }

    /**
     * The layer's backward pass.
     *
     * @param layer          the layer, with parameters "W" [P, F, nOut] (P = outH*outW, F = C*kH*kW) and,
     *                       with bias, "b" (nOut elements); its gradient views receive the clipped sum
     * @param activation     the layer's element-wise activation ({@link #elementWise})
     * @param window         where the windows lie
     * @param input          the layer input, [B, C, H, W] (NHWC: [B, H, W, C]) in the parameters' data type;
     *                       not modified
     * @param outputGradient dL/d(output), [B, nOut, outH, outW] (NHWC: [B, outH, outW, nOut]), before the
     *                       SameDiff scale; not modified
     * @param needInput      whether to form dL/d(input), in the input's layout
     * @param channelsLast   whether input, output gradient and input gradient are NHWC
     */
    static LocallyConnectedGradients backward(Layer layer, IActivation activation, Window window, INDArray input,
                                              INDArray outputGradient, boolean needInput, boolean channelsLast) {
        INDArray weights = layer.getParam(WEIGHTS);
        INDArray bias = layer.paramTable().containsKey(BIAS) ? layer.getParam(BIAS) : null;
        int[] kernel = window.kernel();
        int[] stride = window.stride();
        int[] padBefore = window.padBefore();
        int[] padAfter = window.padAfter();
        if (channelsLast) {
            input = input.permute(0, 3, 1, 2);
            outputGradient = outputGradient.permute(0, 3, 1, 2);
        }
        DataType type = weights.dataType();
        long batch = input.size(0);
        long channels = input.size(1);
        long outH = outputGradient.size(2);
        long outW = outputGradient.size(3);
        long locations = outH * outW;
        long nOut = weights.size(2);
        long paddedH = input.size(2) + padBefore[0] + padAfter[0];
        long paddedW = input.size(3) + padBefore[1] + padAfter[1];
        // Every window DL4J's slices take must lie inside the padded input.
        long fullH = (paddedH - kernel[0]) / stride[0] + 1;
        long fullW = (paddedW - kernel[1]) / stride[1] + 1;
        if (paddedH < kernel[0] || paddedW < kernel[1] || fullH < outH || fullW < outW
                || weights.size(0) != locations || weights.size(1) != channels * kernel[0] * kernel[1]) {
            throw new IllegalStateException("layer " + LayerRules.describe(layer) + ": input " + Arrays.toString(input.shape())
                    + " with kernel " + Arrays.toString(kernel) + " does not give the " + outH + " x " + outW
                    + " locations of weights " + Arrays.toString(weights.shape()));
        }
        INDArray padded = input;
        if (paddedH != input.size(2) || paddedW != input.size(3)) {
            padded = Nd4j.zeros(type, batch, channels, paddedH, paddedW);
            padded.get(NDArrayIndex.all(), NDArrayIndex.all(),
                    NDArrayIndex.interval(padBefore[0], padBefore[0] + input.size(2)),
                    NDArrayIndex.interval(padBefore[1], padBefore[1] + input.size(3))).assign(input);
        }
        INDArray columns = Nd4j.createUninitialized(type, new long[] {batch, channels, kernel[0], kernel[1], fullH, fullW},
                'c');
        Convolution.im2col(padded, kernel[0], kernel[1], stride[0], stride[1], 0, 0, 1, 1, false, columns);
        // [B, C, kH, kW, outH, outW] -> [outW, outH, B, (C, kH, kW)]: location p = j*outH + i.
        INDArray patches = columns.get(firstLocations(outH, outW)).permute(5, 4, 0, 1, 2, 3).dup('c')
                .reshape('c', locations, batch, weights.size(1));

        INDArray z = Nd4j.matmul(patches, weights);
        if (bias != null) {
            Nd4j.getExecutioner().exec(new BroadcastAddOp(z, bias.reshape(nOut), z, 2));
        }
        // The output at (a, b) is location a*outW + b: [B, nOut, outH, outW] -> [outH, outW, B, nOut].
        INDArray epsilon = LayerState.sameDiffOutputGradient(outputGradient, type).permute(2, 3, 0, 1).dup('c')
                .reshape('c', locations, batch, nOut);
        INDArray delta = activation.backprop(z, epsilon).getFirst();

        INDArray inputGradient = null;
        if (needInput) {
            INDArray gradientPatches = Nd4j.matmul(delta, weights, false, true, false)
                    .reshape('c', outW, outH, batch, channels, kernel[0], kernel[1]).permute(2, 3, 4, 5, 1, 0);
            INDArray gradientColumns = Nd4j.zeros(type, batch, channels, kernel[0], kernel[1], fullH, fullW);
            gradientColumns.get(firstLocations(outH, outW)).assign(gradientPatches);
            INDArray paddedGradient = Nd4j.createUninitialized(type, new long[] {batch, channels, paddedH, paddedW}, 'c');
            Convolution.col2im(gradientColumns, paddedGradient, stride[0], stride[1], 0, 0, (int) paddedH,
                    (int) paddedW, 1, 1);
            inputGradient = paddedGradient.get(NDArrayIndex.all(), NDArrayIndex.all(),
                    NDArrayIndex.interval(padBefore[0], padBefore[0] + input.size(2)),
                    NDArrayIndex.interval(padBefore[1], padBefore[1] + input.size(3)));
            if (channelsLast) {
                inputGradient = inputGradient.permute(0, 2, 3, 1);
            }
        }
        Map<String, INDArray> views = LayerState.gradientViews(layer);
        INDArray weightGradient = LayerState.reshapeView(views.get(WEIGHTS), weights.shape());
        INDArray biasGradient = bias == null ? null : views.get(BIAS);
        return new LocallyConnectedGradients(patches, delta, bias == null ? null : delta.sum(0), weightGradient,
                biasGradient, inputGradient);
    }

    /** The columns of the first outH x outW window positions (the ones DL4J's layer uses). */
    private static INDArrayIndex[] firstLocations(long outH, long outW) {
        return new INDArrayIndex[] {NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.interval(0, outH), NDArrayIndex.interval(0, outW)};
    }

    @Override
    public INDArray inputGradient() {
        return inputGradient;
    }

    @Override
    public void addSquaredNorms(double[] squaredNorms) {
        // sum_p |u_{i,p}|^2 |delta_{i,p}|^2, in double: every term is >= 0, so nothing cancels.
        INDArray patches64 = patches.castTo(DataType.DOUBLE);
        INDArray delta64 = delta.castTo(DataType.DOUBLE);
        INDArray patchNorms = patches64.mul(patches64).sum(2);
        INDArray deltaNorms = delta64.mul(delta64).sum(2);
        double[] weight = patchNorms.muli(deltaNorms).sum(0).toDoubleVector();
        double[] bias = perExampleBias == null ? null : ClipAndSum.squaredRowNorms(perExampleBias);
        for (int i = 0; i < squaredNorms.length; i++) {
            squaredNorms[i] += bias == null ? weight[i] : weight[i] + bias[i];
        }
    }

    @Override
    public void accumulateClippedSum(INDArray factors) {
        // sum_i c_i u_{i,p}^T delta_{i,p} for every location p: [P, F, B] x [P, B, nOut].
        INDArray scaled = Nd4j.createUninitialized(delta.dataType(), delta.shape(), 'c');
        Nd4j.getExecutioner().exec(new BroadcastMulOp(delta, factors.reshape(factors.length()), scaled, 1));
        weightGradient.addi(Nd4j.matmul(patches, scaled, true, false, false).reshape(weightGradient.shape()));
        if (biasGradient != null) {
            LayerState.addInto(biasGradient, factors.transpose().mmul(perExampleBias));
        }
    }
}
