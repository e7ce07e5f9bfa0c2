package io.github.dpsgd4j.optimizers.pergradient;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.LearnedSelfAttentionLayer;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * DL4J's {@code SelfAttentionLayer} with {@code projectInput(true)}: multi-head dot-product
 * self-attention over an NCW sequence [B, nIn, T] (queries, keys and values are the input), scaled
 * by 1/sqrt(headSize), with an optional [B, T] mask on the keys; parameters Wq, Wk, Wv [nHeads,
 * headSize, nIn] and Wo [nHeads * headSize, nOut]; output [B, nOut, T]. The math and its backward pass
 * are {@link MultiHeadAttention}.
 *
 * <p>Example i's gradients are sums over time of outer products: Wo's is {@code R_i^T G_i} (the
 * concatenated heads and the output gradient), and Wq, Wk, Wv, which all see the input X_i, have
 * {@code [dQ_i | dK_i | dV_i]^T X_i}, one [3 nHeads headSize, nIn] product. Both come from
 * {@link SequenceOuterProducts} (T x T Gram matrices, or materialised, by cost). The gradients are
 * DL4J's, twice those of the forward pass ({@link LayerState#SAME_DIFF_GRADIENT_SCALE}).
 *
 * <p>{@code projectInput(false)} has no parameters: nothing to clip, and the model adapters run
 * DL4J's own (batched) backward pass through it, so it needs no rule. This rule also refuses
 * {@code LearnedSelfAttentionLayer}, which DL4J 1.0.0-M2.1 cannot run.
 */
public final class SelfAttentionLayerRule implements LayerRule {

    static final String QUERY_WEIGHTS = "Wq";
    static final String KEY_WEIGHTS = "Wk";
    static final String VALUE_WEIGHTS = "Wv";
    static final String OUTPUT_WEIGHTS = "Wo";

    /**
     * DL4J's SameDiff implementation of {@code SelfAttentionLayer} with {@code projectInput(true)}
     * and no dropout. {@code LearnedSelfAttentionLayer} is rejected: DL4J 1.0.0-M2.1 cannot run it.
     */
    @Override
    public LayerSupport supports(Layer layer) {
        if (layer.conf() != null && layer.conf().getLayer() instanceof LearnedSelfAttentionLayer) {
            // Refused here so that the failure comes before any privacy is spent, with the fix.
            return LayerSupport.rejected("layer " + LayerRules.describe(layer) + " is a LearnedSelfAttentionLayer, "
                    + "whose forward pass fails in DL4J 1.0.0-M2.1 itself (output() and fit() throw in scatter_update, "
                    + "with and without projections, in float and double): use a SelfAttentionLayer followed by "
                    + "pooling (GlobalPoolingLayer or LastTimeStep)");
        }
        if (layer.getClass() != org.deeplearning4j.nn.layers.samediff.SameDiffLayer.class
                || layer.conf() == null || !(layer.conf().getLayer() instanceof SelfAttentionLayer conf)
                || !conf.isProjectInput()) {
            return LayerSupport.notHandled();
        }
        if (conf.getIDropout() != null) {
            return LayerSupport.unsupported("layer " + LayerRules.describe(layer) + " uses dropout");
        }
        return LayerSupport.supported();
    }

    @Override
    public LayerBackward backward(Layer layer, INDArray outputGradient, boolean needInputGradient) {
        INDArray wq = layer.getParam(QUERY_WEIGHTS);
        INDArray wk = layer.getParam(KEY_WEIGHTS);
        INDArray wv = layer.getParam(VALUE_WEIGHTS);
        INDArray wo = layer.getParam(OUTPUT_WEIGHTS);
        DataType type = wq.dataType();
        INDArray input = LayerState.input(layer, type);
        if (input.rank() != 3 || input.size(1) != wq.size(2)) {
            throw new IllegalStateException("layer " + LayerRules.describe(layer) + " expects an NCW input [batch, "
                    + wq.size(2) + ", steps], got " + Arrays.toString(input.shape()));
        }
        long batch = input.size(0);
        long steps = input.size(2);
        INDArray rows = input.permute(0, 2, 1).dup('c');
        INDArray gradientRows = LayerState.sameDiffOutputGradient(outputGradient, type).permute(0, 2, 1).dup('c');
        INDArray mask = keyMask(layer, batch, steps, type);

        // DL4J 1.0.0-M2.1's SelfAttentionLayer always scales the scores.
        MultiHeadAttention attention = new MultiHeadAttention(rows, rows, mask, wq, wk, wv, wo, true);
        MultiHeadAttention.Gradients gradients = attention.backward(gradientRows);
        INDArray inputGradient = null;
        if (needInputGradient) {
            inputGradient = attention.queryInputGradient(gradients.queries())
                    .addi(attention.keyInputGradient(gradients.keys(), gradients.values())).permute(0, 2, 1);
        }

        long projected = wq.size(0) * wq.size(1);
        Map<String, INDArray> views = LayerState.gradientViews(layer);
        // [dQ | dK | dV]^T X: the row blocks of [Wq; Wk; Wv] as [H*P, nIn] matrices.
        SequenceOuterProducts projections = new SequenceOuterProducts(
                Nd4j.concat(2, gradients.queries(), gradients.keys(), gradients.values()), rows);
        SequenceOuterProducts output = new SequenceOuterProducts(attention.attended(), gradientRows);
        LayerBackward inputSide = OuterProductBackward.ofSequences(projections, List.of(
                LayerState.reshapeView(views.get(QUERY_WEIGHTS), projected, wq.size(2)),
                LayerState.reshapeView(views.get(KEY_WEIGHTS), projected, wk.size(2)),
                LayerState.reshapeView(views.get(VALUE_WEIGHTS), projected, wv.size(2))), null, Double.NaN);
        LayerBackward outputSide = OuterProductBackward.ofSequences(output, List.of(views.get(OUTPUT_WEIGHTS)),
                null, Double.NaN);
        return new CombinedBackward(inputGradient, List.of(inputSide, outputSide));
    }

    /** The layer's [B, T] mask in {@code type}, or null; DL4J masks the keys with it. */
    static INDArray keyMask(Layer layer, long batch, long steps, DataType type) {
        INDArray mask = layer.getMaskArray();
        if (mask == null) {
            return null;
        }
        if (mask.rank() != 2 || mask.size(0) != batch || mask.size(1) != steps) {
            throw new IllegalStateException("layer " + LayerRules.describe(layer) + " expects a time-step mask ["
                    + batch + ", " + steps + "], got " + Arrays.toString(mask.shape()));
        }
        return mask.castTo(type);
    }
}
