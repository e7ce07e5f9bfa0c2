package io.github.dpsgd4j.optimizers.pergradient;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer;
import org.deeplearning4j.nn.layers.recurrent.TimeDistributedLayer;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * DL4J's {@code TimeDistributed} wrapper around a {@code DenseLayer} (without layer normalisation):
 * the dense layer z = aW + b, y = act(z) applied at every time step of a sequence, NCW or NWC.
 *
 * <p>DL4J 1.0.0-M2.1's {@code TimeDistributedLayer} reshapes the [B, F, T] (or [B, T, F]) input to
 * [B*T, F] with row i*T + t (example-major) and runs the dense layer on those rows, so example i's
 * gradient of [W; b] is {@code sum_t [a_it, 1]^T delta_it}: a sum over time of outer products, whose
 * norm and clipped sum come from {@link SequenceOuterProducts} (T x T Gram matrices or materialised
 * gradients, by cost), as for {@link RnnOutputLayerRule}.
 *
 * <p>Masks: this rule refuses a batch whose time-step mask masks anything, before the step is
 * counted, because DL4J's wrapper then mixes examples: it hands the dense layer the mask as
 * a [B*T, 1] column in row order i + B*t ({@code TimeSeriesUtils.reshapeTimeSeriesMaskToVector})
 * while the data rows are i*T + t, so for B, T > 1 example i's step t is masked with another
 * example's entry (and DL4J's own {@code fit()} is not a sum of per-example gradients). An all-ones
 * mask changes nothing and is accepted. Train masked sequences with the wrapped layer's work done by
 * an {@code RnnOutputLayer} or a recurrent layer instead.
 */
public final class TimeDistributedLayerRule implements LayerRule {

    /**
     * The wrapper's data format: DL4J's {@code TimeDistributedLayer} keeps it in a private field (its
     * {@code conf()} is the wrapped layer's), read by reflection; null if a DL4J version renames it.
     */
    private static final Field FORMAT = formatField();

    /** Exactly DL4J's {@code TimeDistributedLayer} around exactly a {@code DenseLayer} without layer normalisation. */
    @Override
    public LayerSupport supports(Layer layer) {
        if (layer.getClass() != TimeDistributedLayer.class) {
            return LayerSupport.notHandled();
        }
        if (FORMAT == null) {
            return LayerSupport.unsupported("layer " + LayerRules.describe(layer) + ": this DL4J version's "
                    + "TimeDistributedLayer does not keep its data format in the field rnnDataFormat of 1.0.0-M2.1");
        }
        Layer wrapped = ((TimeDistributedLayer) layer).getUnderlying();
        if (wrapped.getClass() != DenseLayer.class) {
            return LayerSupport.unsupported("layer " + LayerRules.describe(layer) + " wraps "
                    + wrapped.getClass().getSimpleName() + "; the TimeDistributed rule handles a DenseLayer only");
        }
        if (((DenseLayer) wrapped).hasLayerNorm()) {
            return LayerSupport.unsupported("layer " + LayerRules.describe(layer)
                    + " wraps a DenseLayer with layer normalisation, which the TimeDistributed rule does not handle");
        }
        return LayerSupport.supported();
    }

    @Override
    public LayerBackward backward(Layer layer, INDArray outputGradient, boolean needInputGradient) {
        DenseLayer dense = (DenseLayer) ((TimeDistributedLayer) layer).getUnderlying();
        RNNFormat format = format(layer);
        INDArray weights = dense.getParam(DefaultParamInitializer.WEIGHT_KEY);
        DataType type = weights.dataType();
        long nIn = weights.rows();
        long nOut = weights.columns();
        if (outputGradient == null || outputGradient.rank() != 3) {
            throw new IllegalStateException("layer " + LayerRules.describe(layer) + " expects a rank-3 output gradient, got "
                    + (outputGradient == null ? "none" : Arrays.toString(outputGradient.shape())));
        }
        long batch = outputGradient.size(0);
        long steps = format == RNNFormat.NWC ? outputGradient.size(1) : outputGradient.size(2);
        // The dense layer's post-dropout input, rows i*T + t.
        INDArray input = LayerState.input(dense, type);
        if (input.rank() != 2 || input.rows() != batch * steps || input.columns() != nIn) {
            throw new IllegalStateException("layer " + LayerRules.describe(layer) + " expects its wrapped layer's input ["
                    + batch * steps + ", " + nIn + "], got " + Arrays.toString(input.shape()));
        }
        refuseMask(layer, dense.getMaskArray());
        INDArray eps = (format == RNNFormat.NWC ? outputGradient : outputGradient.permute(0, 2, 1))
                .castTo(type).dup('c').reshape('c', batch * steps, nOut);
        boolean hasBias = dense.hasBias();
        INDArray z = input.mmul(weights);
        if (hasBias) {
            z.addiRowVector(dense.getParam(DefaultParamInitializer.BIAS_KEY));
        }
        org.deeplearning4j.nn.conf.layers.BaseLayer conf = (org.deeplearning4j.nn.conf.layers.BaseLayer) dense.conf().getLayer();
        INDArray delta = conf.getActivationFn().backprop(z, eps).getFirst();

        INDArray inputGradient = null;
        if (needInputGradient) {
            INDArray gradient2d = Nd4j.createUninitialized(type, batch * steps, nIn);
            Nd4j.gemm(delta, weights, gradient2d, false, true, 1.0, 0.0);
            LayerState.backpropDropout(dense, gradient2d);
            INDArray gradient = gradient2d.reshape('c', batch, steps, nIn);
            inputGradient = format == RNNFormat.NWC ? gradient : gradient.permute(0, 2, 1);
        }
        INDArray inputs = input.reshape('c', batch, steps, nIn);
        SequenceOuterProducts products = new SequenceOuterProducts(hasBias ? withOnes(inputs) : inputs,
                delta.reshape('c', batch, steps, nOut));
        Map<String, INDArray> views = LayerState.gradientViews(dense);
        return OuterProductBackward.ofSequences(products, hasBias
                ? List.of(views.get(DefaultParamInitializer.WEIGHT_KEY), views.get(DefaultParamInitializer.BIAS_KEY))
                : List.of(views.get(DefaultParamInitializer.WEIGHT_KEY)), inputGradient, Double.NaN);
    }

    private static INDArray withOnes(INDArray exampleMajor) {
        return RecurrentArrays.withOnes(exampleMajor, null);
    }

    private static void refuseMask(Layer layer, INDArray mask) {
        if (mask != null && mask.minNumber().doubleValue() != 1.0) {
            throw new IllegalArgumentException("layer " + LayerRules.describe(layer) + " received a time-step mask that masks "
                    + "some steps; DL4J's TimeDistributed pairs mask rows with the wrong examples (mask row i + B*t, "
                    + "data row i*T + t), so a masked batch cannot be trained privately through it: drop the mask or "
                    + "replace TimeDistributed(DenseLayer) by an RnnOutputLayer / recurrent layer");
        }
    }

    private static RNNFormat format(Layer layer) {
        try {
            return (RNNFormat) FORMAT.get(layer);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot read TimeDistributedLayer.rnnDataFormat", e);
        }
    }

    private static Field formatField() {
        try {
            Field field = TimeDistributedLayer.class.getDeclaredField("rnnDataFormat");
            field.setAccessible(true);
            return field;
        } catch (NoSuchFieldException | RuntimeException e) {
            return null;
        }
    }
}
