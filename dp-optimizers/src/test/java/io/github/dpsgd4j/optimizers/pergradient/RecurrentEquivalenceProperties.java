package io.github.dpsgd4j.optimizers.pergradient;

import io.github.dpsgd4j.core.clip.ClipFactors;
import io.github.dpsgd4j.core.clip.NonFiniteNormPolicy;
import io.github.dpsgd4j.optimizers.engine.GradientEngine;
import io.github.dpsgd4j.optimizers.model.Batch;
import io.github.dpsgd4j.optimizers.model.MultiLayerNetworkAdapter;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.GravesLSTM;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.conf.layers.util.MaskZeroLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The recurrent rules (RnnOutputLayer, SimpleRnn, LSTM, GravesLSTM, GravesBidirectionalLSTM) give the per-example norms and
 * clipped sums of batch-of-one DL4J backprop, to 1e-5 relative in double, over stacked layer kinds,
 * activations, data formats, sequence lengths 1..50 and feature / label masks (none, variable
 * length, arbitrary holes).
 */
class RecurrentEquivalenceProperties {

    private static final double TOLERANCE = 1e-5;
    private static final Activation[] ACTIVATIONS = {Activation.TANH, Activation.SIGMOID, Activation.IDENTITY,
            Activation.SOFTSIGN, Activation.RELU};

    enum Kind { SIMPLE_RNN, LSTM, GRAVES_LSTM, GRAVES_BIDIRECTIONAL_LSTM }

    enum MaskKind { NONE, PREFIX, HOLES }

    // 25 tries keep this to a few seconds; it passed 300 tries once without and 150 tries with
    // GravesBidirectionalLSTM (2026-12-05).
    @Property(tries = 25)
    void stackedRecurrentNetwork_matchesBatchOfOne(@ForAll Kind lower, @ForAll Kind upper,
                                                   @ForAll @IntRange(min = 1, max = 6) int batch,
                                                   @ForAll @IntRange(min = 1, max = 50) int steps,
                                                   @ForAll @IntRange(min = 1, max = 4) int in,
                                                   @ForAll @IntRange(min = 1, max = 4) int hidden,
                                                   @ForAll @IntRange(min = 0, max = 4) int activation,
                                                   @ForAll boolean hardSigmoidGates,
                                                   @ForAll boolean nwc,
                                                   @ForAll MaskKind featureMask,
                                                   @ForAll boolean labelMask,
                                                   @ForAll long seed) {
        RNNFormat format = nwc ? RNNFormat.NWC : RNNFormat.NCW;
        Activation act = ACTIVATIONS[activation];
        MultiLayerConfiguration conf = PerExampleGradientEquivalenceProperties.base(seed).list()
                .layer(recurrent(lower, in, hidden, act, hardSigmoidGates, format))
                .layer(recurrent(upper, hidden, hidden + 1, Activation.TANH, false, format))
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(hidden + 1).nOut(3)
                        .activation(Activation.SOFTMAX).dataFormat(format).build())
                .build();
        Random random = new Random(seed);
        INDArray x = gaussian(random, format, batch, in, steps);
        INDArray y = oneHotSequence(random, format, batch, 3, steps);
        INDArray fMask = mask(random, featureMask, batch, steps);
        // DL4J's MCXENT takes a [1, 1] label mask (one example, one step) for a per-output mask and
        // refuses it, so the batch-of-one reference cannot run a label mask with T = 1.
        INDArray lMask = labelMask && steps > 1 ? mask(random, MaskKind.PREFIX, batch, steps) : null;
        assertEquivalent(conf, new Batch(new INDArray[] {x}, new INDArray[] {y},
                fMask == null ? null : new INDArray[] {fMask}, lMask == null ? null : new INDArray[] {lMask}), random);
    }

    @Property(tries = 15)
    void rnnOutputLayer_withPerOutputMasksAndMse_matchesBatchOfOne(@ForAll @IntRange(min = 1, max = 6) int batch,
                                                                  @ForAll @IntRange(min = 1, max = 30) int steps,
                                                                  @ForAll @IntRange(min = 1, max = 40) int in,
                                                                  @ForAll @IntRange(min = 1, max = 40) int out,
                                                                  @ForAll boolean perOutputMask,
                                                                  @ForAll long seed) {
        // Wide and narrow layers exercise both norm methods (Gram and materialised).
        MultiLayerConfiguration conf = PerExampleGradientEquivalenceProperties.base(seed).list()
                .layer(new SimpleRnn.Builder().nIn(in).nOut(in).activation(Activation.TANH).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(in).nOut(out)
                        .activation(Activation.IDENTITY).build())
                .build();
        Random random = new Random(seed);
        INDArray x = gaussian(random, RNNFormat.NCW, batch, in, steps);
        INDArray y = gaussian(random, RNNFormat.NCW, batch, out, steps);
        INDArray lMask;
        if (perOutputMask) {
            lMask = Nd4j.zeros(DataType.DOUBLE, batch, out, steps);
            for (long k = 0; k < lMask.length(); k++) {
                lMask.putScalar(k, random.nextInt(4) == 0 ? 0 : 1);
            }
        } else {
            lMask = mask(random, MaskKind.HOLES, batch, steps);
        }
        assertEquivalent(conf, new Batch(new INDArray[] {x}, new INDArray[] {y}, null, new INDArray[] {lMask}), random);
    }

    @Property(tries = 20)
    void wrappedRecurrentLayer_matchesBatchOfOne(@ForAll Kind kind,
                                                 @ForAll boolean maskZero,
                                                 @ForAll @IntRange(min = 1, max = 6) int batch,
                                                 @ForAll @IntRange(min = 1, max = 30) int steps,
                                                 @ForAll @IntRange(min = 1, max = 4) int hidden,
                                                 @ForAll boolean nwc,
                                                 @ForAll MaskKind featureMask,
                                                 @ForAll long seed) {
        RNNFormat format = nwc ? RNNFormat.NWC : RNNFormat.NCW;
        Layer inner = recurrent(kind, 2, hidden, Activation.TANH, false, format);
        Layer wrapped = maskZero ? new MaskZeroLayer(inner, 0.0) : new LastTimeStep(inner);
        var list = PerExampleGradientEquivalenceProperties.base(seed).list().layer(wrapped);
        MultiLayerConfiguration conf = (maskZero
                ? list.layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(hidden).nOut(3)
                        .activation(Activation.SOFTMAX).dataFormat(format).build())
                : list.layer(new DenseLayer.Builder().nIn(hidden).nOut(3).activation(Activation.TANH).build())
                        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(3).nOut(2)
                                .activation(Activation.SOFTMAX).build()))
                .build();
        Random random = new Random(seed);
        INDArray x = gaussian(random, format, batch, 2, steps);
        INDArray fMask = null;
        if (maskZero) {
            // Zero the features of some trailing steps: MaskZeroLayer masks them.
            for (int i = 0; i < batch; i++) {
                int length = 1 + random.nextInt(steps);
                for (int t = length; t < steps; t++) {
                    for (int f = 0; f < 2; f++) {
                        x.putScalar(nwc ? new long[] {i, t, f} : new long[] {i, f, t}, 0.0);
                    }
                }
            }
        } else {
            fMask = mask(random, featureMask, batch, steps);
        }
        INDArray y = maskZero ? oneHotSequence(random, format, batch, 3, steps)
                : PerExampleGradientEquivalenceProperties.oneHot(random, batch, 2);
        assertEquivalent(conf, new Batch(new INDArray[] {x}, new INDArray[] {y},
                fMask == null ? null : new INDArray[] {fMask}, null), random);
    }

    static Layer recurrent(Kind kind, int in, int out, Activation activation, boolean hardSigmoidGates,
                           RNNFormat format) {
        Activation gate = hardSigmoidGates ? Activation.HARDSIGMOID : Activation.SIGMOID;
        return switch (kind) {
            case SIMPLE_RNN -> new SimpleRnn.Builder().nIn(in).nOut(out).activation(activation).dataFormat(format).build();
            case LSTM -> new LSTM.Builder().nIn(in).nOut(out).activation(activation).gateActivationFunction(gate)
                    .dataFormat(format).build();
            case GRAVES_LSTM -> new GravesLSTM.Builder().nIn(in).nOut(out).activation(activation)
                    .gateActivationFunction(gate).dataFormat(format).build();
            case GRAVES_BIDIRECTIONAL_LSTM -> new org.deeplearning4j.nn.conf.layers.GravesBidirectionalLSTM.Builder()
                    .nIn(in).nOut(out).activation(activation).gateActivationFunction(gate).dataFormat(format).build();
        };
    }

    /** Brute force (one DL4J backward pass per example, masks included) against the engine. */
    static void assertEquivalent(MultiLayerConfiguration conf, Batch batch, Random random) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        net.initGradientsView();
        INDArray[] g = new INDArray[batch.size()];
        double[] norms = new double[g.length];
        for (int i = 0; i < g.length; i++) {
            Batch one = batch.rows(new int[] {i});
            net.setInput(one.features()[0]);
            net.setLabels(one.labels()[0]);
            net.setLayerMaskArrays(one.featuresMask(0), one.labelsMask(0));
            net.computeGradientAndScore();
            g[i] = net.getGradientsViewArray().dup();
            double n = g[i].norm2Number().doubleValue();
            norms[i] = n * n;
        }
        net.clearLayerMaskArrays();
        net.clear();
        double[] sorted = norms.clone();
        Arrays.sort(sorted);
        double clip = Math.max(Math.sqrt(sorted[sorted.length / 2]), 1e-6) * (0.5 + random.nextDouble());
        INDArray expectedSum = g[0].mul(0);
        for (int i = 0; i < g.length; i++) {
            expectedSum.addi(g[i].mul(ClipFactors.factor(norms[i], clip)));
        }
        MultiLayerNetworkAdapter adapter = new MultiLayerNetworkAdapter(net, LayerRules.defaults());
        GradientEngine engine = new GradientEngine(adapter, clip, NonFiniteNormPolicy.FAIL);
        assertEquals(GradientEngine.Strategy.BOOKKEEPING, engine.strategy(), adapter.layersWithoutRule().toString());
        double[] seen = PerExampleGradientEquivalenceProperties.squaredNorms(adapter, batch);
        for (int i = 0; i < g.length; i++) {
            assertEquals(norms[i], seen[i], TOLERANCE * Math.max(norms[i], 1e-12), "squared norm of example " + i);
        }
        PerExampleGradientEquivalenceProperties.assertClose(expectedSum, engine.clippedSum(batch).sum());
    }

    static INDArray gaussian(Random random, RNNFormat format, int batch, int features, int steps) {
        return format == RNNFormat.NWC ? PerExampleGradientEquivalenceProperties.gaussian(random, batch, steps, features)
                : PerExampleGradientEquivalenceProperties.gaussian(random, batch, features, steps);
    }

    static INDArray oneHotSequence(Random random, RNNFormat format, int batch, int classes, int steps) {
        INDArray y = Nd4j.zeros(DataType.DOUBLE, batch, classes, steps);
        for (int i = 0; i < batch; i++) {
            for (int t = 0; t < steps; t++) {
                y.putScalar(new long[] {i, random.nextInt(classes), t}, 1.0);
            }
        }
        return format == RNNFormat.NWC ? y.permute(0, 2, 1).dup('c') : y;
    }

    /** A [B, T] mask: none, a prefix of 1..T steps per example, or random holes (at least one step kept). */
    static INDArray mask(Random random, MaskKind kind, int batch, int steps) {
        if (kind == MaskKind.NONE) {
            return null;
        }
        INDArray mask = Nd4j.zeros(DataType.DOUBLE, batch, steps);
        for (int i = 0; i < batch; i++) {
            int keep = 1 + random.nextInt(steps);
            for (int t = 0; t < steps; t++) {
                boolean on = kind == MaskKind.PREFIX ? t < keep : random.nextInt(3) != 0;
                mask.putScalar(i, t, on ? 1.0 : 0.0);
            }
            mask.putScalar(i, random.nextInt(steps), 1.0);
        }
        return mask;
    }
}
