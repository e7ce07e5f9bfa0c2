package io.github.dpsgd4j.optimizers.pergradient;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.AbstractLSTM;
import org.deeplearning4j.nn.layers.recurrent.GravesBidirectionalLSTM;
import org.deeplearning4j.nn.layers.recurrent.GravesLSTM;
import org.deeplearning4j.nn.params.GravesBidirectionalLSTMParamInitializer;
import org.deeplearning4j.nn.layers.recurrent.LSTM;
import org.deeplearning4j.nn.params.LSTMParamInitializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * DL4J's {@code LSTM}, {@code GravesLSTM} (peepholes) and {@code GravesBidirectionalLSTM} (two
 * GravesLSTM directions with their own parameters, outputs added; the backwards direction is the
 * same recurrence on the time-reversed sequence), NCW or NWC, with or without a time-step
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

    /** Exactly DL4J's {@code LSTM}, {@code GravesLSTM} and {@code GravesBidirectionalLSTM} classes. */
    @Override
    public LayerSupport supports(Layer layer) {
        return layer.getClass() == LSTM.class || layer.getClass() == GravesLSTM.class
                || layer.getClass() == GravesBidirectionalLSTM.class
                ? LayerSupport.supported() : LayerSupport.notHandled();
    }

    @Override
    public LayerBackward backward(Layer layer, INDArray outputGradient, boolean needInputGradient) {
        boolean bidirectional = layer.getClass() == GravesBidirectionalLSTM.class;
        boolean graves = layer.getClass() != LSTM.class;
        AbstractLSTM conf = layer.conf().getLayer() instanceof AbstractLSTM lstm ? lstm : null;
        org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer recurrentConf =
                (org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer) layer.conf().getLayer();
        org.nd4j.linalg.activations.IActivation gate = conf != null ? conf.getGateActivationFn()
                : ((org.deeplearning4j.nn.conf.layers.GravesBidirectionalLSTM) layer.conf().getLayer()).getGateActivationFn();
        org.deeplearning4j.nn.layers.BaseLayer<?> base = (org.deeplearning4j.nn.layers.BaseLayer<?>) layer;
        RNNFormat format = recurrentConf.getRnnDataFormat();
        if (layer.input() == null || layer.input().rank() != 3) {
            throw new IllegalStateException("layer " + LayerRules.describe(layer) + " expects a rank-3 input");
        }
        Map<String, INDArray> views = LayerState.gradientViews(layer);
        String[][] keys = bidirectional
                ? new String[][] {
                    {GravesBidirectionalLSTMParamInitializer.INPUT_WEIGHT_KEY_FORWARDS,
                            GravesBidirectionalLSTMParamInitializer.RECURRENT_WEIGHT_KEY_FORWARDS,
                            GravesBidirectionalLSTMParamInitializer.BIAS_KEY_FORWARDS},
                    {GravesBidirectionalLSTMParamInitializer.INPUT_WEIGHT_KEY_BACKWARDS,
                            GravesBidirectionalLSTMParamInitializer.RECURRENT_WEIGHT_KEY_BACKWARDS,
                            GravesBidirectionalLSTMParamInitializer.BIAS_KEY_BACKWARDS}}
                : new String[][] {{LSTMParamInitializer.INPUT_WEIGHT_KEY, LSTMParamInitializer.RECURRENT_WEIGHT_KEY,
                    LSTMParamInitializer.BIAS_KEY}};
        DataType type = base.getParam(keys[0][0]).dataType();
        INDArray x = RecurrentArrays.timeMajor(layer.input(), format, type);
        INDArray eps = RecurrentArrays.timeMajor(outputGradient, format, type);
        INDArray mask = RecurrentArrays.timeMajorMask(layer, x.size(1), x.size(0), type);
        List<Direction> directions = new ArrayList<>();
        INDArray inputGradient = null;
        for (int d = 0; d < keys.length; d++) {
            // DL4J's backwards direction is the same recurrence run from the last step to the first:
            // the forward equations on time-reversed sequences.
            boolean reversed = d == 1;
            INDArray xd = reversed ? reverse(x) : x;
            INDArray w = base.getParam(keys[d][0]);
            INDArray rw = base.getParam(keys[d][1]);
            // DL4J's GravesLSTM and GravesBidirectionalLSTM pass their mask to the backward pass; LSTM does not.
            LstmSequence sequence = new LstmSequence(xd, w, rw, base.getParam(keys[d][2]), recurrentConf.getActivationFn(),
                    gate, graves, mask == null ? null : reversed ? reverse(mask) : mask, graves);
            INDArray peepholes = graves ? Nd4j.zeros(type, x.size(1), 3 * rw.rows()) : null;
            INDArray delta = sequence.backward(reversed ? reverse(eps) : eps, peepholes);
            if (needInputGradient) {
                INDArray g = sequence.inputGradient(delta);
                g = reversed ? reverse(g) : g;
                inputGradient = inputGradient == null ? g : inputGradient.addi(g);
            }
            SequenceOuterProducts products = new SequenceOuterProducts(
                    RecurrentArrays.exampleMajor(RecurrentArrays.withOnes(xd, sequence.previousOutputs())),
                    RecurrentArrays.exampleMajor(delta));
            directions.add(new Direction(views.get(keys[d][0]), views.get(keys[d][1]), views.get(keys[d][2]), products,
                    peepholes, w.rows(), rw.rows()));
        }
        if (inputGradient != null) {
            inputGradient = RecurrentArrays.fromTimeMajor(inputGradient, format);
            LayerState.backpropDropout(layer, inputGradient);
        }
        return new Backward(directions, inputGradient);
    }

    /** A time-major [T, B, F] array with its steps in reverse order (a copy). */
    private static INDArray reverse(INDArray timeMajor) {
        return RecurrentArrays.reverseTime(timeMajor, 0);
    }

    /** One direction's gradient views and per-example gradients. */
    private record Direction(INDArray inputWeights, INDArray recurrentWeights, INDArray bias,
                             SequenceOuterProducts products, INDArray peepholes, long nIn, long n) {
    }

    private static final class Backward implements LayerBackward {
        private final List<Direction> directions;
        private final INDArray inputGradient;

        Backward(List<Direction> directions, INDArray inputGradient) {
            this.directions = directions;
            this.inputGradient = inputGradient;
        }

        @Override
        public INDArray inputGradient() {
            return inputGradient;
        }

        @Override
        public void addSquaredNorms(double[] squaredNorms) {
            for (Direction d : directions) {
                d.products().addSquaredNorms(squaredNorms);
                if (d.peepholes() != null) {
                    double[] peep = io.github.dpsgd4j.core.clip.ClipAndSum.squaredRowNorms(d.peepholes());
                    for (int i = 0; i < squaredNorms.length; i++) {
                        squaredNorms[i] += peep[i];
                    }
                }
            }
        }

        @Override
        public void accumulateClippedSum(INDArray factors) {
            for (Direction d : directions) {
                long nIn = d.nIn();
                long n = d.n();
                INDArray sum = d.products().weightedSum(factors);
                RecurrentArrays.addRows(d.inputWeights(), sum, 0, nIn);
                RecurrentArrays.addRows(d.recurrentWeights().get(NDArrayIndex.all(), NDArrayIndex.interval(0, 4 * n)),
                        sum, nIn, n);
                RecurrentArrays.addRows(d.bias(), sum, nIn + n, 1);
                if (d.peepholes() != null) {
                    // [1, 3n] in blocks wFF, wOO, wGG -> columns 4n, 4n+1, 4n+2 of RW.
                    INDArray weighted = factors.transpose().mmul(d.peepholes());
                    for (int k = 0; k < 3; k++) {
                        d.recurrentWeights().getColumn(4 * n + k).addi(weighted.get(NDArrayIndex.point(0),
                                NDArrayIndex.interval(k * n, (k + 1) * n)).reshape(n));
                    }
                }
            }
        }
    }
}
