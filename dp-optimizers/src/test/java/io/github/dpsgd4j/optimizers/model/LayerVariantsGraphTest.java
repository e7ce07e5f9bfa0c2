package io.github.dpsgd4j.optimizers.model;

import io.github.dpsgd4j.optimizers.engine.GradientEngine;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.Convolution3D;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.Deconvolution3D;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LocallyConnected1D;
import org.deeplearning4j.nn.conf.layers.LocallyConnected2D;
import org.deeplearning4j.nn.conf.layers.PReLULayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.layers.misc.ElementWiseMultiplicationLayer;
import org.deeplearning4j.nn.conf.layers.RecurrentAttentionLayer;
import org.deeplearning4j.nn.conf.layers.samediff.AbstractSameDiffLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Random;

import static io.github.dpsgd4j.optimizers.engine.GradientEngine.Strategy.BOOKKEEPING;
import static io.github.dpsgd4j.optimizers.model.GraphBruteForce.gaussian;
import static io.github.dpsgd4j.optimizers.model.GraphBruteForce.oneHot;
import static io.github.dpsgd4j.optimizers.model.GraphVertexEquivalenceTest.dense;
import static io.github.dpsgd4j.optimizers.model.GraphVertexEquivalenceTest.graph;
import static io.github.dpsgd4j.optimizers.model.GraphVertexEquivalenceTest.softmax;

/**
 * The layer variants of issue 11 in ComputationGraphs with the default rules: the fast rules
 * (Convolution1DLayer, DepthwiseConvolution2D, SeparableConvolution2D, Deconvolution2D, Convolution3D,
 * Deconvolution3D, PReLU, ElementWiseMultiplication, layer-normalised DenseLayer, SelfAttentionLayer,
 * RecurrentAttentionLayer, LocallyConnected1D/2D) run by book-keeping and equal batch-of-one DL4J
 * backprop (the exact per-example loop is checked in graphs by {@code GraphVertexEquivalenceTest} and
 * for the configurations the rules leave out by the layers' trainer tests).
 * (LearnedSelfAttentionLayer is not here: DL4J 1.0.0-M2.1's own {@code fit} fails on it with a
 * scatter_update error in the configurations tried, so there is nothing to compare with.)
 */
class LayerVariantsGraphTest {

    @Property(tries = 10)
    void fastRules_inAGraph_matchBatchOfOne(@ForAll @IntRange(min = 1, max = 5) int batch,
                                            @ForAll @IntRange(min = 1, max = 3) int channels,
                                            @ForAll @IntRange(min = 3, max = 8) int length,
                                            @ForAll boolean causal,
                                            @ForAll long seed) {
        Random r = new Random(seed);
        var conf = graph(seed).addInputs("seq")
                .addLayer("c1", new Convolution1DLayer.Builder(2).nOut(channels + 1).activation(Activation.TANH)
                        .convolutionMode(causal ? ConvolutionMode.Causal : ConvolutionMode.Same).build(), "seq")
                .addLayer("c2", new Convolution1DLayer.Builder(3).dilation(2).nOut(3).activation(Activation.IDENTITY)
                        .convolutionMode(ConvolutionMode.Causal).build(), "c1")
                .addLayer("prelu", new PReLULayer.Builder().inputShape(3, length).sharedAxes(2).build(), "c2")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.MAX).build(), "prelu")
                .addLayer("mul", new ElementWiseMultiplicationLayer.Builder().nIn(3).nOut(3)
                        .activation(Activation.SIGMOID).build(), "pool")
                .addLayer("out", softmax(2), "mul").setOutputs("out")
                .setInputTypes(InputType.recurrent(channels, length)).build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        Batch data = new Batch(new INDArray[] {gaussian(r, batch, channels, length)},
                new INDArray[] {oneHot(r, batch, 2)}, null, null);
        GraphBruteForce.assertEquivalent(g, data, BOOKKEEPING, seed);
    }

    /** A SameDiff layer over sequences [B, 3, 6], average-pooled into a softmax output. */
    private static void assertSequenceLayerMatches(AbstractSameDiffLayer layer, GradientEngine.Strategy strategy) {
        Random r = new Random(5);
        var conf = graph(5).addInputs("seq")
                .addLayer("layer", layer, "seq")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "layer")
                .addLayer("out", softmax(2), "pool").setOutputs("out")
                .setInputTypes(InputType.recurrent(3, 6)).build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        Batch data = new Batch(new INDArray[] {gaussian(r, 4, 3, 6)}, new INDArray[] {oneHot(r, 4, 2)}, null, null);
        GraphBruteForce.assertEquivalent(g, data, strategy, 5);
    }

    @Test
    void locallyConnected1D_runsByBookkeeping_andMatchesBatchOfOne() {
        assertSequenceLayerMatches(new LocallyConnected1D.Builder().nIn(3).nOut(3).kernelSize(2).setInputSize(6)
                .convolutionMode(ConvolutionMode.Same).activation(Activation.TANH).build(), BOOKKEEPING);
    }

    @Test
    void locallyConnected2D_runsByBookkeeping_andMatchesBatchOfOne() {
        Random r = new Random(10);
        var conf = graph(10).addInputs("image")
                .addLayer("layer", new LocallyConnected2D.Builder().nIn(2).nOut(2).kernelSize(2, 2).setInputSize(4, 5)
                        .activation(Activation.TANH).build(), "image")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "layer")
                .addLayer("out", softmax(2), "pool").setOutputs("out")
                .setInputTypes(InputType.convolutional(4, 5, 2)).build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        GraphBruteForce.assertEquivalent(g, new Batch(new INDArray[] {gaussian(r, 3, 2, 4, 5)},
                new INDArray[] {oneHot(r, 3, 2)}, null, null), BOOKKEEPING, 10);
    }

    @Test
    void selfAttention_runsByBookkeeping_andMatchesBatchOfOne() {
        assertSequenceLayerMatches(new SelfAttentionLayer.Builder().nIn(3).nOut(4).nHeads(2).projectInput(true).build(),
                BOOKKEEPING);
    }

    @Test
    void recurrentAttention_runsByBookkeeping_andMatchesBatchOfOne() {
        assertSequenceLayerMatches(new RecurrentAttentionLayer.Builder().nIn(3).nOut(3).nHeads(1).projectInput(true)
                .activation(Activation.TANH).build(), BOOKKEEPING);
    }

    /** An image layer [B, 2, 5, 5], average-pooled into a softmax output, against batch-of-one backprop. */
    private static void assertImageLayerMatches(org.deeplearning4j.nn.conf.layers.Layer layer, Random r,
                                                GradientEngine.Strategy strategy) {
        var conf = graph(6).addInputs("image")
                .addLayer("layer", layer, "image")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "layer")
                .addLayer("out", softmax(2), "pool").setOutputs("out")
                .setInputTypes(InputType.convolutional(5, 5, 2)).build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        Batch data = new Batch(new INDArray[] {gaussian(r, 3, 2, 5, 5)}, new INDArray[] {oneHot(r, 3, 2)}, null, null);
        GraphBruteForce.assertEquivalent(g, data, strategy, 6);
    }

    @Test
    void separableAndDeconvolution_inAGraph_runByBookKeeping_andMatchBatchOfOne() {
        Random r = new Random(6);
        assertImageLayerMatches(new SeparableConvolution2D.Builder(2, 2).depthMultiplier(2).nOut(3)
                .activation(Activation.TANH).build(), r, BOOKKEEPING);
        assertImageLayerMatches(new Deconvolution2D.Builder(2, 2).stride(2, 2).nOut(2).activation(Activation.TANH).build(),
                r, BOOKKEEPING);
    }

    @Test
    void convolution3DAndDeconvolution3D_runByBookkeeping_andMatchBatchOfOne() {
        Random r = new Random(6);
        var volume = graph(7).addInputs("volume")
                .addLayer("layer", new Convolution3D.Builder(2, 2, 2).nOut(2).activation(Activation.TANH).build(), "volume")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "layer")
                .addLayer("out", softmax(2), "pool").setOutputs("out")
                .setInputTypes(InputType.convolutional3D(3, 3, 3, 2)).build();
        ComputationGraph g3 = new ComputationGraph(volume);
        g3.init();
        GraphBruteForce.assertEquivalent(g3, new Batch(new INDArray[] {gaussian(r, 3, 2, 3, 3, 3)},
                new INDArray[] {oneHot(r, 3, 2)}, null, null), BOOKKEEPING, 7);
        var transposed = graph(8).addInputs("volume")
                .addLayer("layer", new Deconvolution3D.Builder().kernelSize(2, 2, 2).stride(2, 2, 2).nOut(2)
                        .activation(Activation.TANH).build(), "volume")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "layer")
                .addLayer("out", softmax(2), "pool").setOutputs("out")
                .setInputTypes(InputType.convolutional3D(2, 2, 2, 2)).build();
        ComputationGraph gt = new ComputationGraph(transposed);
        gt.init();
        GraphBruteForce.assertEquivalent(gt, new Batch(new INDArray[] {gaussian(r, 3, 2, 2, 2, 2)},
                new INDArray[] {oneHot(r, 3, 2)}, null, null), BOOKKEEPING, 8);
    }

    @Test
    void depthwiseConvolution_runsByBookkeeping_andMatchesBatchOfOne() {
        Random r = new Random(9);
        var conf = graph(9).addInputs("image")
                .addLayer("dw", new DepthwiseConvolution2D.Builder(2, 2).depthMultiplier(2).nOut(4)
                        .activation(Activation.TANH).build(), "image")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "dw")
                .addLayer("out", softmax(2), "pool").setOutputs("out")
                .setInputTypes(InputType.convolutional(5, 5, 2)).build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        GraphBruteForce.assertEquivalent(g, new Batch(new INDArray[] {gaussian(r, 3, 2, 5, 5)},
                new INDArray[] {oneHot(r, 3, 2)}, null, null), BOOKKEEPING, 9);
    }

    @Test
    void layerNormalisedDense_runsByBookkeeping_andMatchesBatchOfOne() {
        Random r = new Random(8);
        var normed = graph(8).addInputs("in")
                .addLayer("layer", new DenseLayer.Builder().nOut(4).hasLayerNorm(true).activation(Activation.TANH).build(), "in")
                .addLayer("out", softmax(2), "layer").setOutputs("out")
                .setInputTypes(InputType.feedForward(3)).build();
        ComputationGraph gn = new ComputationGraph(normed);
        gn.init();
        GraphBruteForce.assertEquivalent(gn, new Batch(new INDArray[] {gaussian(r, 4, 3)},
                new INDArray[] {oneHot(r, 4, 2)}, null, null), BOOKKEEPING, 8);
    }
}
