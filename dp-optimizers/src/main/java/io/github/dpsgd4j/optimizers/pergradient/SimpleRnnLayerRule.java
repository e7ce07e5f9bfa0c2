package io.github.dpsgd4j.optimizers.pergradient;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.params.SimpleRnnParamInitializer;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

/**
 * DL4J's {@code SimpleRnn}: h_t = act(x_t W + h_{t-1} RW + b), h_{-1} = 0; with a time-step mask,
 * h_t is multiplied by the mask at every step (a masked step resets the state).
 *
 * <p>The backward pass is written out from these equations with the example dimension kept (DL4J
 * keeps the per-step deltas in locals): dL/dh_t = eps_t + delta_{t+1} RW^T, delta_t =
 * act'(z_t) dL/dh_t (times the mask). Example i's gradient of [W; RW; b] is
 * {@code sum_t [x_it, h_i,t-1, 1]^T delta_it}, whose norm and clipped sum come from
 * {@link SequenceOuterProducts}. Gradients equal DL4J's batch-of-one backprop.
 */
public final class SimpleRnnLayerRule implements LayerRule {

    /**
     * Exactly DL4J's {@code SimpleRnn} class, without layer normalisation; with it the layer is
     * rejected, since DL4J 1.0.0-M2.1 cannot run it (its own {@code fit()} fails).
     */
    @Override
    public LayerSupport supports(Layer layer) {
        if (layer.getClass() != SimpleRnn.class) {
            return LayerSupport.notHandled();
        }
        if (((org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn) layer.conf().getLayer()).hasLayerNorm()) {
            // DL4J 1.0.0-M2.1 keeps the gain as a rank-1 [2n] array and indexes it as [1, 2n] in its
            // forward pass, which throws "Indices are out of range" in fit() too; refused here so that
            // the failure comes before any privacy is spent, with the fix.
            return LayerSupport.rejected("layer " + LayerRules.describe(layer) + " is a SimpleRnn with layer "
                    + "normalisation (hasLayerNorm(true)), whose forward pass fails in DL4J 1.0.0-M2.1 itself (fit() "
                    + "throws \"Indices are out of range\"): use hasLayerNorm(false), or an LSTM");
        }
        return LayerSupport.supported();
    }

    @Override
    public LayerBackward backward(Layer layer, INDArray outputGradient, boolean needInputGradient) {
        SimpleRnn rnn = (SimpleRnn) layer;
        org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn conf =
                (org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn) layer.conf().getLayer();
        RNNFormat format = conf.getRnnDataFormat();
        INDArray w = rnn.getParam(SimpleRnnParamInitializer.WEIGHT_KEY);
        INDArray rw = rnn.getParam(SimpleRnnParamInitializer.RECURRENT_WEIGHT_KEY);
        INDArray b = rnn.getParam(SimpleRnnParamInitializer.BIAS_KEY);
        DataType type = w.dataType();
        IActivation activation = conf.getActivationFn();
        if (layer.input() == null || layer.input().rank() != 3) {
            throw new IllegalStateException("layer " + LayerRules.describe(layer) + " expects a rank-3 input");
        }
        INDArray x = RecurrentArrays.timeMajor(layer.input(), format, type);
        long steps = x.size(0);
        long batch = x.size(1);
        long nIn = w.rows();
        long n = rw.rows();
        INDArray mask = RecurrentArrays.timeMajorMask(layer, batch, steps, type);

        // Forward: z (pre-activations) and h (outputs) per step, time-major.
        INDArray z = x.reshape('c', steps * batch, nIn).mmul(w).addiRowVector(b).reshape('c', steps, batch, n);
        INDArray h = Nd4j.createUninitialized(type, steps, batch, n);
        for (long t = 0; t < steps; t++) {
            INDArray zt = RecurrentArrays.step(z, t);
            if (t > 0) {
                Nd4j.gemm(RecurrentArrays.step(h, t - 1), rw, zt, false, false, 1.0, 1.0);
            }
            INDArray ht = RecurrentArrays.step(h, t);
            ht.assign(activation.getActivation(zt.dup(), true));
            if (mask != null) {
                ht.muliColumnVector(RecurrentArrays.step(mask, t));
            }
        }

        // Backward: delta_t = act'(z_t) (eps_t + delta_{t+1} RW^T), masked.
        INDArray eps = RecurrentArrays.timeMajor(outputGradient, format, type);
        INDArray delta = Nd4j.createUninitialized(type, steps, batch, n);
        for (long t = steps - 1; t >= 0; t--) {
            INDArray dh = RecurrentArrays.step(eps, t);
            if (t < steps - 1) {
                Nd4j.gemm(RecurrentArrays.step(delta, t + 1), rw, dh, false, true, 1.0, 1.0);
            }
            INDArray dt = RecurrentArrays.step(delta, t);
            dt.assign(activation.backprop(RecurrentArrays.step(z, t).dup(), dh).getFirst());
            if (mask != null) {
                dt.muliColumnVector(RecurrentArrays.step(mask, t));
            }
        }

        INDArray inputGradient = null;
        if (needInputGradient) {
            INDArray gradient = delta.reshape('c', steps * batch, n).mmul(w.transpose()).reshape('c', steps, batch, nIn);
            if (mask != null) {
                gradient.muli(mask.broadcast(steps, batch, nIn));
            }
            inputGradient = RecurrentArrays.fromTimeMajor(gradient, format);
            LayerState.backpropDropout(layer, inputGradient);
        }
        INDArray previous = Nd4j.zeros(type, steps, batch, n);
        if (steps > 1) {
            previous.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, steps)).assign(
                    h.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, steps - 1)));
        }
        SequenceOuterProducts products = new SequenceOuterProducts(
                RecurrentArrays.exampleMajor(RecurrentArrays.withOnes(x, previous)), RecurrentArrays.exampleMajor(delta));
        Map<String, INDArray> views = LayerState.gradientViews(layer);
        return OuterProductBackward.ofSequences(products, List.of(views.get(SimpleRnnParamInitializer.WEIGHT_KEY),
                views.get(SimpleRnnParamInitializer.RECURRENT_WEIGHT_KEY), views.get(SimpleRnnParamInitializer.BIAS_KEY)),
                inputGradient, Double.NaN);
    }
}
