package io.github.dpsgd4j.optimizers.pergradient;

import io.github.dpsgd4j.optimizers.model.Batch;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.RecurrentAttentionLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Random;

import static io.github.dpsgd4j.optimizers.pergradient.RecurrentEquivalenceProperties.assertEquivalent;
import static io.github.dpsgd4j.optimizers.pergradient.RecurrentEquivalenceProperties.gaussian;
import static io.github.dpsgd4j.optimizers.pergradient.RecurrentEquivalenceProperties.mask;
import static io.github.dpsgd4j.optimizers.pergradient.RecurrentEquivalenceProperties.oneHotSequence;

/**
 * {@link SelfAttentionLayerRule} and {@link RecurrentAttentionLayerRule}: per-example norms and the clipped sum equal batch-of-one DL4J
 * backprop (1e-5 relative, double) over heads, head sizes, projections, biases, activations, sequence
 * lengths 1..12 and feature masks
 * (none, variable length, holes), the attention layer between two recurrent layers with parameters so
 * that its input gradient is checked too.
 */
class AttentionEquivalenceProperties {

    @Property(tries = 15)
    void selfAttention_betweenRecurrentLayers_matchesBatchOfOne(@ForAll @IntRange(min = 1, max = 5) int batch,
                                                                @ForAll @IntRange(min = 1, max = 12) int steps,
                                                                @ForAll @IntRange(min = 1, max = 4) int in,
                                                                @ForAll @IntRange(min = 1, max = 5) int hidden,
                                                                @ForAll @IntRange(min = 1, max = 3) int heads,
                                                                @ForAll @IntRange(min = 0, max = 3) int headSize,
                                                                @ForAll RecurrentEquivalenceProperties.MaskKind featureMask,
                                                                @ForAll long seed) {
        // headSize 0: DL4J's default, nOut / nHeads.
        int out = headSize == 0 ? 2 * heads : 3;
        SelfAttentionLayer.Builder attention = new SelfAttentionLayer.Builder().nIn(hidden).nOut(out).nHeads(heads)
                .projectInput(true);
        if (headSize > 0) {
            attention.headSize(headSize);
        }
        MultiLayerConfiguration conf = PerExampleGradientEquivalenceProperties.base(seed).list()
                .layer(new SimpleRnn.Builder().nIn(in).nOut(hidden).activation(Activation.TANH).build())
                .layer(attention.build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(out).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build();
        assertMatches(conf, batch, steps, in, featureMask, seed);
    }

    /** Without projections the layer has no parameters: DL4J's own backward runs through it, no loop. */
    @Property(tries = 5)
    void selfAttentionWithoutProjection_runsByBookkeeping_andMatchesBatchOfOne(
            @ForAll @IntRange(min = 1, max = 4) int batch, @ForAll @IntRange(min = 1, max = 8) int steps,
            @ForAll @IntRange(min = 1, max = 4) int hidden,
            @ForAll RecurrentEquivalenceProperties.MaskKind featureMask, @ForAll long seed) {
        MultiLayerConfiguration conf = PerExampleGradientEquivalenceProperties.base(seed).list()
                .layer(new SimpleRnn.Builder().nIn(2).nOut(hidden).activation(Activation.TANH).build())
                .layer(new SelfAttentionLayer.Builder().nIn(hidden).nOut(hidden).nHeads(1).projectInput(false).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(hidden).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build();
        assertMatches(conf, batch, steps, 2, featureMask, seed);
    }

    @Property(tries = 10)
    void recurrentAttention_betweenRecurrentLayers_matchesBatchOfOne(@ForAll @IntRange(min = 1, max = 5) int batch,
                                                                     @ForAll @IntRange(min = 2, max = 10) int steps,
                                                                     @ForAll @IntRange(min = 2, max = 4) int hidden,
                                                                     @ForAll @IntRange(min = 1, max = 3) int heads,
                                                                     @ForAll boolean projectInput,
                                                                     @ForAll boolean hasBias,
                                                                     @ForAll @IntRange(min = 0, max = 2) int activation,
                                                                     @ForAll RecurrentEquivalenceProperties.MaskKind featureMask,
                                                                     @ForAll long seed) {
        // DL4J 1.0.0-M2.1's own forward pass fails on sequences of one step (concat) and, without
        // projections, on one feature with a batch of one (dot_product_attention).
        Activation[] activations = {Activation.TANH, Activation.SIGMOID, Activation.IDENTITY};
        // Without projections DL4J needs nIn = nOut and one head.
        int out = projectInput ? 2 * heads : hidden;
        MultiLayerConfiguration conf = PerExampleGradientEquivalenceProperties.base(seed).list()
                .layer(new SimpleRnn.Builder().nIn(2).nOut(hidden).activation(Activation.TANH).build())
                .layer(new RecurrentAttentionLayer.Builder().nIn(hidden).nOut(out).nHeads(projectInput ? heads : 1)
                        .projectInput(projectInput).hasBias(hasBias).activation(activations[activation]).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(out).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build();
        assertMatches(conf, batch, steps, 2, featureMask, seed);
    }

    private static void assertMatches(MultiLayerConfiguration conf, int batch, int steps, int in,
                                      RecurrentEquivalenceProperties.MaskKind featureMask, long seed) {
        Random random = new Random(seed);
        INDArray x = gaussian(random, org.deeplearning4j.nn.conf.RNNFormat.NCW, batch, in, steps);
        INDArray y = oneHotSequence(random, org.deeplearning4j.nn.conf.RNNFormat.NCW, batch, 3, steps);
        INDArray fMask = mask(random, featureMask, batch, steps);
        assertEquivalent(conf, new Batch(new INDArray[] {x}, new INDArray[] {y},
                fMask == null ? null : new INDArray[] {fMask}, null), random);
    }
}
