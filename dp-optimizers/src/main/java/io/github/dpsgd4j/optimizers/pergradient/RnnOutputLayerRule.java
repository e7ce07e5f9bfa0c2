package io.github.dpsgd4j.optimizers.pergradient;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * DL4J's {@code RnnOutputLayer}: a dense output layer applied at every time step, z_t = a_t W + b,
 * input [B, nIn, T] (NCW) or [B, T, nIn] (NWC), labels of the same layout, an optional label mask
 * per time step [B, T] or per output [B, nOut, T].
 *
 * <p>Example i's gradient is {@code sum_t [a_it, 1]^T delta_it}: a sum over time of outer products,
 * so its norm comes from {@link SequenceOuterProducts} (T x T Gram matrices or materialised
 * gradients, by cost), with the bias as a column of ones next to the input. delta is the loss
 * gradient per (example, step), not divided by the batch size; masked steps have delta = 0.
 */
public final class RnnOutputLayerRule implements LayerRule {

    /**
     * Exactly DL4J's {@code RnnOutputLayer} class, with a bias and without layer normalisation
     * (without a bias, DL4J 1.0.0-M2.1's training forward pass {@code activate} fails on a null bias;
     * its own {@code computeGradientAndScore}, which the exact per-example loop uses, works).
     */
    @Override
    public LayerSupport supports(Layer layer) {
        if (layer.getClass() != org.deeplearning4j.nn.layers.recurrent.RnnOutputLayer.class) {
            return LayerSupport.notHandled();
        }
        if (((BaseLayer<?>) layer).hasLayerNorm()) {
            return LayerSupport.unsupported("layer " + LayerRules.describe(layer) + " uses layer normalisation");
        }
        if (!((BaseLayer<?>) layer).hasBias()) {
            return LayerSupport.unsupported("layer " + LayerRules.describe(layer) + " has no bias (hasBias(false)), "
                    + "whose training forward pass fails in DL4J 1.0.0-M2.1");
        }
        return LayerSupport.supported();
    }

    @Override
    public LayerBackward backward(Layer layer, INDArray outputGradient, boolean needInputGradient) {
        BaseLayer<?> base = (BaseLayer<?>) layer;
        org.deeplearning4j.nn.conf.layers.RnnOutputLayer conf =
                (org.deeplearning4j.nn.conf.layers.RnnOutputLayer) layer.conf().getLayer();
        RNNFormat format = conf.getRnnDataFormat();
        INDArray weights = base.getParam(DefaultParamInitializer.WEIGHT_KEY);
        DataType dataType = weights.dataType();
        long nIn = weights.rows();
        long nOut = weights.columns();
        INDArray raw = layer.input();
        if (raw == null || raw.rank() != 3) {
            throw new IllegalStateException("layer " + LayerRules.describe(layer) + " expects a rank-3 input, got "
                    + (raw == null ? "none" : Arrays.toString(raw.shape())));
        }
        INDArray labels = ((IOutputLayer) layer).getLabels();
        if (labels == null || labels.rank() != 3) {
            throw new IllegalStateException("output layer " + LayerRules.describe(layer) + " needs rank-3 labels, got "
                    + (labels == null ? "none" : Arrays.toString(labels.shape())));
        }
        // Example-major rows (i, t) -> i * T + t.
        INDArray input = exampleMajor(raw, format, dataType);
        long batch = input.size(0);
        long steps = input.size(1);
        INDArray input2d = input.reshape('c', batch * steps, nIn);
        INDArray labels2d = exampleMajor(labels, format, dataType).reshape('c', batch * steps, nOut);
        INDArray mask = mask2d(layer, batch, steps, nOut, dataType);

        INDArray z = input2d.mmul(weights);
        boolean hasBias = base.hasBias();
        if (hasBias) {
            z.addiRowVector(base.getParam(DefaultParamInitializer.BIAS_KEY));
        }
        ILossFunction loss = conf.getLossFn();
        double summedLoss = loss.computeScore(labels2d, z.dup(), conf.getActivationFn(), mask, false);
        INDArray delta = loss.computeGradient(labels2d, z, conf.getActivationFn(), mask);

        INDArray inputGradient = null;
        if (needInputGradient) {
            INDArray gradient2d = Nd4j.createUninitialized(dataType, batch * steps, nIn);
            Nd4j.gemm(delta, weights, gradient2d, false, true, 1.0, 0.0);
            INDArray gradient = gradient2d.reshape('c', batch, steps, nIn);
            inputGradient = format == RNNFormat.NWC ? gradient : gradient.permute(0, 2, 1);
            LayerState.backpropDropout(layer, inputGradient);
        }
        INDArray activations = hasBias
                ? RecurrentArrays.withOnes(input, null)
                : input;
        SequenceOuterProducts products = new SequenceOuterProducts(activations,
                delta.reshape('c', batch, steps, nOut));
        Map<String, INDArray> views = LayerState.gradientViews(layer);
        return OuterProductBackward.ofSequences(products, hasBias
                ? List.of(views.get(DefaultParamInitializer.WEIGHT_KEY), views.get(DefaultParamInitializer.BIAS_KEY))
                : List.of(views.get(DefaultParamInitializer.WEIGHT_KEY)), inputGradient, summedLoss);
    }

    private static INDArray exampleMajor(INDArray sequence, RNNFormat format, DataType type) {
        INDArray permuted = format == RNNFormat.NWC ? sequence : sequence.permute(0, 2, 1);
        return permuted.castTo(type).dup('c');
    }

    /**
     * The label mask in example-major rows: DL4J stores it as a column [B*T, 1] (or [B*T, nOut] per
     * output) with row i + B*t.
     */
    private static INDArray mask2d(Layer layer, long batch, long steps, long nOut, DataType type) {
        INDArray mask = layer.getMaskArray();
        if (mask == null) {
            return null;
        }
        if (mask.rank() != 2 || mask.rows() != batch * steps || (mask.columns() != 1 && mask.columns() != nOut)) {
            throw new IllegalStateException("layer " + LayerRules.describe(layer) + " has a mask of shape "
                    + Arrays.toString(mask.shape()) + "; expected [" + batch * steps + ", 1] or [" + batch * steps
                    + ", " + nOut + "]");
        }
        long width = mask.columns();
        return mask.castTo(type).reshape('f', batch, steps, width).dup('c').reshape('c', batch * steps, width);
    }
}
