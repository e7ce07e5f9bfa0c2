package io.github.dpsgd4j.optimizers.pergradient;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.AbstractLSTM;
import org.deeplearning4j.nn.layers.recurrent.GravesLSTM;
import org.deeplearning4j.nn.layers.recurrent.LSTM;
import org.deeplearning4j.nn.params.LSTMParamInitializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Map;

/**
 * DL4J's {@code LSTM} and {@code GravesLSTM} (peepholes), NCW or NWC, with or without a time-step
 * mask, on the CPU path (DL4J's own Java loop; a cuDNN helper is not used by this rule, which
 * recomputes the pass in ND4J operations).
 *
 * <p>The backward pass is {@link LstmSequence}: DL4J's equations with the example dimension kept,
 * giving the gate deltas Delta_i [T, 4n] of every example. Example i's gradient of [W; RW; b] is
 * {@code sum_t [x_it, h_i,t-1, 1]^T delta_it} (the input, the previous output and a one for the
 * bias share the deltas), so its norm and clipped sum come from {@link SequenceOuterProducts} (T x T
 * Gram matrices, or materialised by cost). GravesLSTM's peephole weights (three columns of RW) have
 * per-example gradients {@code sum_t delta_f c_{t-1}}, {@code sum_t delta_o c_t},
 * {@code sum_t delta_g c_{t-1}}, held as a [B, 3n] array.
 */
public final class LstmLayerRule implements LayerRule {

    /** Exactly DL4J's {@code LSTM} and {@code GravesLSTM} classes. */
    @Override
    public LayerSupport supports(Layer layer) {
        return layer.getClass() == LSTM.class || layer.getClass() == GravesLSTM.class
                ? LayerSupport.supported() : LayerSupport.notHandled();
    }

    @Override
    public LayerBackward backward(Layer layer, INDArray outputGradient, boolean needInputGradient) {
        boolean graves = layer.getClass() == GravesLSTM.class;
        AbstractLSTM conf = (AbstractLSTM) layer.conf().getLayer();
        org.deeplearning4j.nn.layers.BaseLayer<?> base = (org.deeplearning4j.nn.layers.BaseLayer<?>) layer;
        INDArray w = base.getParam(LSTMParamInitializer.INPUT_WEIGHT_KEY);
        INDArray rw = base.getParam(LSTMParamInitializer.RECURRENT_WEIGHT_KEY);
        INDArray b = base.getParam(LSTMParamInitializer.BIAS_KEY);
        DataType type = w.dataType();
        RNNFormat format = conf.getRnnDataFormat();
        if (layer.input() == null || layer.input().rank() != 3) {
            throw new IllegalStateException("layer " + LayerRules.describe(layer) + " expects a rank-3 input");
        }
        INDArray x = RecurrentArrays.timeMajor(layer.input(), format, type);
        long steps = x.size(0);
        long batch = x.size(1);
        long nIn = w.rows();
        long n = rw.rows();
        INDArray mask = RecurrentArrays.timeMajorMask(layer, batch, steps, type);
        // DL4J's GravesLSTM passes its mask to the backward pass; its LSTM does not.
        LstmSequence sequence = new LstmSequence(x, w, rw, b, conf.getActivationFn(), conf.getGateActivationFn(),
                graves, mask, graves);
        INDArray peepholes = graves ? Nd4j.zeros(type, batch, 3 * n) : null;
        INDArray delta = sequence.backward(RecurrentArrays.timeMajor(outputGradient, format, type), peepholes);

        INDArray inputGradient = null;
        if (needInputGradient) {
            inputGradient = RecurrentArrays.fromTimeMajor(sequence.inputGradient(delta), format);
            LayerState.backpropDropout(layer, inputGradient);
        }
        SequenceOuterProducts products = new SequenceOuterProducts(
                RecurrentArrays.exampleMajor(RecurrentArrays.withOnes(x, sequence.previousOutputs())),
                RecurrentArrays.exampleMajor(delta));
        return new Backward(LayerState.gradientViews(layer), products, peepholes, nIn, n, inputGradient);
    }

    private static final class Backward implements LayerBackward {
        private final Map<String, INDArray> views;
        private final SequenceOuterProducts products;
        private final INDArray peepholes;
        private final long nIn;
        private final long n;
        private final INDArray inputGradient;

        Backward(Map<String, INDArray> views, SequenceOuterProducts products, INDArray peepholes, long nIn, long n,
                 INDArray inputGradient) {
            this.views = views;
            this.products = products;
            this.peepholes = peepholes;
            this.nIn = nIn;
            this.n = n;
            this.inputGradient = inputGradient;
        }

        @Override
        public INDArray inputGradient() {
            return inputGradient;
        }

        @Override
        public void addSquaredNorms(double[] squaredNorms) {
            products.addSquaredNorms(squaredNorms);
            if (peepholes != null) {
                double[] peep = io.github.dpsgd4j.core.clip.ClipAndSum.squaredRowNorms(peepholes);
                for (int i = 0; i < squaredNorms.length; i++) {
                    squaredNorms[i] += peep[i];
                }
            }
        }

        @Override
        public void accumulateClippedSum(INDArray factors) {
            INDArray sum = products.weightedSum(factors);
            INDArray recurrent = views.get(LSTMParamInitializer.RECURRENT_WEIGHT_KEY);
            RecurrentArrays.addRows(views.get(LSTMParamInitializer.INPUT_WEIGHT_KEY), sum, 0, nIn);
            RecurrentArrays.addRows(recurrent.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 4 * n)), sum, nIn, n);
            RecurrentArrays.addRows(views.get(LSTMParamInitializer.BIAS_KEY), sum, nIn + n, 1);
            if (peepholes != null) {
                // [1, 3n] in blocks wFF, wOO, wGG -> columns 4n, 4n+1, 4n+2 of RW.
                INDArray weighted = factors.transpose().mmul(peepholes);
                for (int k = 0; k < 3; k++) {
                    recurrent.getColumn(4 * n + k).addi(
                            weighted.get(NDArrayIndex.point(0), NDArrayIndex.interval(k * n, (k + 1) * n)).reshape(n));
                }
            }
        }
    }
}
