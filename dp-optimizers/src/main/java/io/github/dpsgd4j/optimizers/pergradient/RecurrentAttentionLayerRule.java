package io.github.dpsgd4j.optimizers.pergradient;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.RecurrentAttentionLayer;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * DL4J's {@code RecurrentAttentionLayer} over an NCW sequence X [B, nIn, T]: {@code h_0 = act(x_0 W + b)}
 * and, for t >= 1, {@code h_t = act(x_t W + b + a_t RW)} with {@code a_t} the attention of the query
 * h_{t-1} over the whole input (keys = values = X, scaled, the layer's [B, T] mask on the keys): multi-head
 * with projections Wq [nHeads, headSize, nOut], Wk, Wv [nHeads, headSize, nIn], Wo [nHeads * headSize,
 * nOut] ({@code projectInput(true)}), or single-head without them. The attention is
 * {@link MultiHeadAttention}, with the keys and values projected once for all steps.
 *
 * <p>The backward pass is written from these equations with the example dimension kept:
 * {@code dL/dh_t = eps_t + dL/dq_{t+1} Wq}, {@code delta_t = act'(z_t) dL/dh_t},
 * {@code dL/da_t = delta_t RW^T}, then through the attention of step t. Example i's gradients are sums
 * over time of outer products, each from {@link SequenceOuterProducts}: [W; RW; b] has
 * {@code sum_t [x_t, a_t, 1]^T delta_t}; Wo has {@code sum_t R_t^T dL/da_t} (R_t the concatenated heads);
 * Wq has {@code sum_t dL/dq_t^T h_{t-1}}; and since every step attends over the same X, Wk and Wv have
 * {@code [sum_t dK_t | sum_t dV_t]^T X}. The gradients are DL4J's, twice those of the forward pass
 * ({@link LayerState#SAME_DIFF_GRADIENT_SCALE}).
 */
public final class RecurrentAttentionLayerRule implements LayerRule {

    private static final String WEIGHTS = "W";
    private static final String RECURRENT_WEIGHTS = "RW";
    private static final String BIAS = "b";

    /** DL4J's SameDiff implementation of {@code RecurrentAttentionLayer}, without dropout. */
    @Override
    public LayerSupport supports(Layer layer) {
        if (layer.getClass() != org.deeplearning4j.nn.layers.samediff.SameDiffLayer.class
                || layer.conf() == null || !(layer.conf().getLayer() instanceof RecurrentAttentionLayer conf)) {
            return LayerSupport.notHandled();
        }
        if (conf.getIDropout() != null) {
            return LayerSupport.unsupported("layer " + LayerRules.describe(layer) + " uses dropout");
        }
        return LayerSupport.supported();
    }

    @Override
    public LayerBackward backward(Layer layer, INDArray outputGradient, boolean needInputGradient) {
        RecurrentAttentionLayer conf = (RecurrentAttentionLayer) layer.conf().getLayer();
        IActivation activation = conf.getActivation().getActivationFunction();
        INDArray w = layer.getParam(WEIGHTS);
        INDArray rw = layer.getParam(RECURRENT_WEIGHTS);
        INDArray b = layer.getParam(BIAS);
        boolean project = conf.isProjectInput();
        INDArray wq = project ? layer.getParam(SelfAttentionLayerRule.QUERY_WEIGHTS) : null;
        DataType type = w.dataType();
        INDArray input = LayerState.input(layer, type);
        long nIn = w.rows();
        long n = w.columns();
        if (input.rank() != 3 || input.size(1) != nIn) {
            throw new IllegalStateException("layer " + LayerRules.describe(layer) + " expects an NCW input [batch, "
                    + nIn + ", steps], got " + Arrays.toString(input.shape()));
        }
        long batch = input.size(0);
        long steps = input.size(2);
        INDArray rows = input.permute(0, 2, 1).dup('c');
        INDArray x = RecurrentArrays.timeMajor(input, RNNFormat.NCW, type);
        INDArray mask = SelfAttentionLayerRule.keyMask(layer, batch, steps, type);

        // Forward, time-major: z_t, h_t, a_t (a_0 = 0) and each step's attention.
        INDArray z = x.reshape('c', steps * batch, nIn).mmul(w);
        if (b != null) {
            z.addiRowVector(b.reshape(1, n));
        }
        z = z.reshape('c', steps, batch, n);
        INDArray h = Nd4j.createUninitialized(type, steps, batch, n);
        INDArray attended = Nd4j.zeros(type, steps, batch, n);
        List<MultiHeadAttention> attention = new ArrayList<>();
        for (long t = 0; t < steps; t++) {
            INDArray zt = RecurrentArrays.step(z, t);
            if (t > 0) {
                INDArray query = RecurrentArrays.step(h, t - 1).reshape('c', batch, 1, n);
                MultiHeadAttention step = attention.isEmpty()
                        ? new MultiHeadAttention(query, rows, mask, wq, projection(layer, project,
                                SelfAttentionLayerRule.KEY_WEIGHTS), projection(layer, project,
                                SelfAttentionLayerRule.VALUE_WEIGHTS), projection(layer, project,
                                SelfAttentionLayerRule.OUTPUT_WEIGHTS), true)
                        : attention.get(0).withQueries(query);
                attention.add(step);
                INDArray at = RecurrentArrays.step(attended, t);
                at.assign(step.output().reshape(batch, n));
                Nd4j.gemm(at, rw, zt, false, false, 1.0, 1.0);
            }
            RecurrentArrays.step(h, t).assign(activation.getActivation(zt.dup(), true));
        }

        // Backward from the last step: dL/dh_t = eps_t + (dL/d query of step t+1).
        INDArray eps = RecurrentArrays.timeMajor(LayerState.sameDiffOutputGradient(outputGradient, type), RNNFormat.NCW,
                type);
        INDArray delta = Nd4j.createUninitialized(type, steps, batch, n);
        INDArray attendedGradient = Nd4j.zeros(type, steps, batch, n);
        long width = project ? wq.size(0) * wq.size(1) : nIn;
        INDArray queryGradients = Nd4j.zeros(type, steps, batch, width);
        INDArray heads = Nd4j.zeros(type, steps, batch, width);
        INDArray keyGradients = Nd4j.zeros(type, batch, steps, width);
        INDArray valueGradients = Nd4j.zeros(type, batch, steps, width);
        INDArray carry = null;
        for (long t = steps - 1; t >= 0; t--) {
            INDArray dh = RecurrentArrays.step(eps, t).dup();
            if (carry != null) {
                dh.addi(carry);
            }
            INDArray dt = RecurrentArrays.step(delta, t);
            dt.assign(activation.backprop(RecurrentArrays.step(z, t).dup(), dh).getFirst());
            if (t > 0) {
                MultiHeadAttention step = attention.get((int) t - 1);
                INDArray da = RecurrentArrays.step(attendedGradient, t);
                Nd4j.gemm(dt, rw, da, false, true, 1.0, 0.0);
                MultiHeadAttention.Gradients g = step.backward(da.reshape('c', batch, 1, n));
                carry = step.queryInputGradient(g.queries()).reshape('c', batch, n);
                RecurrentArrays.step(queryGradients, t).assign(g.queries().reshape(batch, width));
                RecurrentArrays.step(heads, t).assign(step.attended().reshape(batch, width));
                keyGradients.addi(g.keys());
                valueGradients.addi(g.values());
            }
        }

        INDArray inputGradient = null;
        if (needInputGradient) {
            // Through x_t W at every step, and through the keys and values every step attended over.
            INDArray gradient = RecurrentArrays.exampleMajor(
                    delta.reshape('c', steps * batch, n).mmul(w.transpose()).reshape('c', steps, batch, nIn));
            if (!attention.isEmpty()) {
                gradient.addi(attention.get(0).keyInputGradient(keyGradients, valueGradients));
            }
            inputGradient = gradient.permute(0, 2, 1);
        }

        Map<String, INDArray> views = LayerState.gradientViews(layer);
        INDArray recurrentInputs = b != null ? RecurrentArrays.withOnes(x, attended) : Nd4j.concat(2, x, attended);
        List<INDArray> recurrentViews = new ArrayList<>(List.of(views.get(WEIGHTS), views.get(RECURRENT_WEIGHTS)));
        if (b != null) {
            recurrentViews.add(views.get(BIAS));
        }
        List<LayerBackward> parts = new ArrayList<>();
        parts.add(OuterProductBackward.ofSequences(new SequenceOuterProducts(RecurrentArrays.exampleMajor(
                recurrentInputs), RecurrentArrays.exampleMajor(delta)), recurrentViews, null, Double.NaN));
        if (!project) {
            return new CombinedBackward(inputGradient, parts);
        }
        INDArray previous = Nd4j.zeros(type, steps, batch, n);
        if (steps > 1) {
            previous.get(NDArrayIndex.interval(1, steps)).assign(h.get(NDArrayIndex.interval(0, steps - 1)));
        }
        parts.add(OuterProductBackward.ofSequences(new SequenceOuterProducts(RecurrentArrays.exampleMajor(heads),
                RecurrentArrays.exampleMajor(attendedGradient)),
                List.of(views.get(SelfAttentionLayerRule.OUTPUT_WEIGHTS)), null, Double.NaN));
        parts.add(OuterProductBackward.ofSequences(new SequenceOuterProducts(
                RecurrentArrays.exampleMajor(queryGradients), RecurrentArrays.exampleMajor(previous)),
                List.of(flatView(views, SelfAttentionLayerRule.QUERY_WEIGHTS)), null, Double.NaN));
        parts.add(OuterProductBackward.ofSequences(new SequenceOuterProducts(
                Nd4j.concat(2, keyGradients, valueGradients), rows),
                List.of(flatView(views, SelfAttentionLayerRule.KEY_WEIGHTS),
                        flatView(views, SelfAttentionLayerRule.VALUE_WEIGHTS)), null, Double.NaN));
        return new CombinedBackward(inputGradient, parts);
    }

    /** A projection parameter, or null without projections. */
    private static INDArray projection(Layer layer, boolean project, String key) {
        return project ? layer.getParam(key) : null;
    }

    /** A projection's gradient view [H, P, F] as the [H*P, F] matrix it is, sharing memory. */
    private static INDArray flatView(Map<String, INDArray> views, String key) {
        INDArray view = views.get(key);
        return LayerState.reshapeView(view, view.size(0) * view.size(1), view.size(2));
    }
}
