package io.github.dpsgd4j.optimizers.model;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.rnn.LastTimeStepVertex;
import org.deeplearning4j.nn.conf.graph.rnn.ReverseTimeSeriesVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Random;

import static io.github.dpsgd4j.optimizers.engine.GradientEngine.Strategy.BOOKKEEPING;
import static io.github.dpsgd4j.optimizers.model.GraphBruteForce.gaussian;
import static io.github.dpsgd4j.optimizers.model.GraphBruteForce.oneHot;
import static io.github.dpsgd4j.optimizers.model.GraphVertexEquivalenceTest.dense;
import static io.github.dpsgd4j.optimizers.model.GraphVertexEquivalenceTest.graph;
import static io.github.dpsgd4j.optimizers.model.GraphVertexEquivalenceTest.softmax;

/** Graph equivalence with brute force over random shapes, element-wise ops and masks. */
class GraphEquivalenceProperties {

    @Property(tries = 12)
    void residualMultiInputGraph_matchesBatchOfOne(@ForAll @IntRange(min = 1, max = 6) int batch,
                                                   @ForAll @IntRange(min = 1, max = 4) int channels,
                                                   @ForAll @IntRange(min = 1, max = 5) int width,
                                                   @ForAll @IntRange(min = 1, max = 5) int steps,
                                                   @ForAll ElementWiseVertex.Op op,
                                                   @ForAll boolean masked,
                                                   @ForAll long seed) {
        Random r = new Random(seed);
        var conf = graph(seed).addInputs("image", "seq")
                .addLayer("c1", new ConvolutionLayer.Builder(2, 2).nOut(channels).activation(Activation.TANH)
                        .convolutionMode(org.deeplearning4j.nn.conf.ConvolutionMode.Same).build(), "image")
                .addLayer("c2", new ConvolutionLayer.Builder(3, 3).nOut(channels).activation(Activation.SIGMOID)
                        .convolutionMode(org.deeplearning4j.nn.conf.ConvolutionMode.Same).build(), "c1")
                .addVertex("op", new ElementWiseVertex(op), "c1", "c2")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "op")
                .addVertex("rev", new ReverseTimeSeriesVertex("seq"), "seq")
                .addVertex("last", new LastTimeStepVertex("seq"), "rev")
                .addLayer("ds", dense(width, Activation.TANH), "last")
                .addVertex("merge", new MergeVertex(), "pool", "ds")
                .addLayer("out", softmax(3), "merge").setOutputs("out")
                .setInputTypes(InputType.convolutional(4, 4, 2), InputType.recurrent(2, steps)).build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        INDArray mask = masked ? GraphBruteForce.prefixMask(r, batch, steps) : null;
        Batch data = new Batch(new INDArray[] {gaussian(r, batch, 2, 4, 4), gaussian(r, batch, 2, steps)},
                new INDArray[] {oneHot(r, batch, 3)}, masked ? new INDArray[] {null, mask} : null, null);
        GraphBruteForce.assertEquivalent(g, data, BOOKKEEPING, seed);
    }
}
