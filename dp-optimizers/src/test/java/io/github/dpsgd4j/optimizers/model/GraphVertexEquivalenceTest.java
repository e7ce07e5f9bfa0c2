package io.github.dpsgd4j.optimizers.model;

import io.github.dpsgd4j.optimizers.engine.GradientEngine;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.L2NormalizeVertex;
import org.deeplearning4j.nn.conf.graph.L2Vertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.PoolHelperVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.graph.ReshapeVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.graph.ShiftVertex;
import org.deeplearning4j.nn.conf.graph.StackVertex;
import org.deeplearning4j.nn.conf.graph.SubsetVertex;
import org.deeplearning4j.nn.conf.graph.UnstackVertex;
import org.deeplearning4j.nn.conf.graph.rnn.DuplicateToTimeSeriesVertex;
import org.deeplearning4j.nn.conf.graph.rnn.LastTimeStepVertex;
import org.deeplearning4j.nn.conf.graph.rnn.ReverseTimeSeriesVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Random;

import static io.github.dpsgd4j.optimizers.engine.GradientEngine.Strategy.BOOKKEEPING;
import static io.github.dpsgd4j.optimizers.engine.GradientEngine.Strategy.PER_EXAMPLE_LOOP;
import static io.github.dpsgd4j.optimizers.model.GraphBruteForce.gaussian;
import static io.github.dpsgd4j.optimizers.model.GraphBruteForce.oneHot;

/**
 * Every vertex DL4J 1.0.0-M2.1 ships, in a small double-precision graph: the engine's per-example
 * norms and clipped sum equal batch-of-one DL4J backprop to 1e-5 relative.
 */
class GraphVertexEquivalenceTest {

    private static final int B = 7;

    static ComputationGraphConfiguration.GraphBuilder graph(long seed) {
        return new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.DOUBLE).updater(new Sgd(0.1))
                .trainingWorkspaceMode(WorkspaceMode.NONE).inferenceWorkspaceMode(WorkspaceMode.NONE)
                .graphBuilder();
    }

    static DenseLayer dense(int nOut, Activation activation) {
        return new DenseLayer.Builder().nOut(nOut).activation(activation).build();
    }

    static OutputLayer softmax(int nOut) {
        return new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(nOut).activation(Activation.SOFTMAX)
                .build();
    }

    static ComputationGraph init(ComputationGraphConfiguration conf) {
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    private static void check(ComputationGraphConfiguration conf, Batch batch, GradientEngine.Strategy strategy,
                              long seed) {
        GraphBruteForce.assertEquivalent(init(conf), batch, strategy, seed);
    }

    private static Batch ff(Random random, int in, int classes) {
        return Batch.single(gaussian(random, B, in), oneHot(random, B, classes), null, null);
    }

    @Test
    void mergeVertex_twoInputs() {
        Random r = new Random(1);
        var conf = graph(1).addInputs("a", "b")
                .addLayer("da", dense(4, Activation.TANH), "a").addLayer("db", dense(3, Activation.RELU), "b")
                .addVertex("merge", new MergeVertex(), "da", "db", "b")
                .addLayer("out", softmax(3), "merge").setOutputs("out")
                .setInputTypes(InputType.feedForward(5), InputType.feedForward(2)).build();
        Batch batch = new Batch(new INDArray[] {gaussian(r, B, 5), gaussian(r, B, 2)}, new INDArray[] {oneHot(r, B, 3)},
                null, null);
        check(conf, batch, BOOKKEEPING, 1);
    }

    @ParameterizedTest
    @EnumSource(ElementWiseVertex.Op.class)
    void elementWiseVertex_everyOp(ElementWiseVertex.Op op) {
        Random r = new Random(2);
        boolean two = op == ElementWiseVertex.Op.Subtract;
        var builder = graph(2).addInputs("in")
                .addLayer("a", dense(4, Activation.TANH), "in").addLayer("b", dense(4, Activation.SIGMOID), "in");
        if (!two) {
            builder.addLayer("c", dense(4, Activation.IDENTITY), "in");
        }
        var conf = builder.addVertex("op", new ElementWiseVertex(op), two ? new String[] {"a", "b"}
                        : new String[] {"a", "b", "c"})
                .addLayer("out", softmax(3), "op").setOutputs("out")
                .setInputTypes(InputType.feedForward(5)).build();
        check(conf, ff(r, 5, 3), BOOKKEEPING, 2);
    }

    @Test
    void subsetScaleShiftAndReshapeVertices() {
        Random r = new Random(3);
        var conf = graph(3).addInputs("in")
                .addLayer("d", dense(6, Activation.TANH), "in")
                .addVertex("subset", new SubsetVertex(1, 4), "d")
                .addVertex("scale", new ScaleVertex(2.5), "subset")
                .addVertex("shift", new ShiftVertex(-0.3), "scale")
                .addVertex("r1", new ReshapeVertex(-1, 2, 2), "shift")
                .addVertex("r2", new ReshapeVertex(-1, 4), "r1")
                .addLayer("out", softmax(3), "r2").setOutputs("out")
                .setInputTypes(InputType.feedForward(5)).build();
        check(conf, ff(r, 5, 3), BOOKKEEPING, 3);
    }

    @Test
    void l2AndL2NormalizeVertices() {
        Random r = new Random(4);
        var conf = graph(4).addInputs("a", "b")
                .addLayer("da", dense(4, Activation.TANH), "a").addLayer("db", dense(4, Activation.TANH), "b")
                .addVertex("l2", new L2Vertex(), "da", "db")
                .addVertex("norm", new L2NormalizeVertex(), "da")
                .addVertex("merge", new MergeVertex(), "l2", "norm")
                .addLayer("out", softmax(2), "merge").setOutputs("out")
                .setInputTypes(InputType.feedForward(3), InputType.feedForward(3)).build();
        Batch batch = new Batch(new INDArray[] {gaussian(r, B, 3), gaussian(r, B, 3)}, new INDArray[] {oneHot(r, B, 2)},
                null, null);
        check(conf, batch, BOOKKEEPING, 4);
    }

    @Test
    void preprocessorAndPoolHelperVertices_residualConvolutions() {
        Random r = new Random(5);
        var conf = graph(5).addInputs("in")
                .addLayer("c1", new ConvolutionLayer.Builder(3, 3).nOut(3).activation(Activation.RELU).build(), "in")
                .addLayer("c2", new ConvolutionLayer.Builder(3, 3).nOut(3).activation(Activation.TANH)
                        .convolutionMode(org.deeplearning4j.nn.conf.ConvolutionMode.Same).build(), "c1")
                .addVertex("add", new ElementWiseVertex(ElementWiseVertex.Op.Add), "c1", "c2")
                .addVertex("pool", new PoolHelperVertex(), "add")
                .addLayer("gp", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "pool")
                .addVertex("flat", new PreprocessorVertex(new CnnToFeedForwardPreProcessor(4, 4, 3)), "add")
                .addVertex("merge", new MergeVertex(), "gp", "flat")
                .addLayer("out", softmax(3), "merge").setOutputs("out")
                .setInputTypes(InputType.convolutional(6, 6, 2)).build();
        Batch batch = Batch.single(gaussian(r, B, 2, 6, 6), oneHot(r, B, 3), null, null);
        check(conf, batch, BOOKKEEPING, 5);
    }

    @Test
    void recurrentVertices_withMasks() {
        Random r = new Random(6);
        int steps = 5;
        var conf = graph(6).addInputs("x", "seq")
                .addLayer("dx", dense(3, Activation.TANH), "x")
                .addVertex("dup", new DuplicateToTimeSeriesVertex("seq"), "dx")
                .addVertex("merge", new MergeVertex(), "dup", "seq")
                .addVertex("rev", new ReverseTimeSeriesVertex("seq"), "merge")
                .addVertex("last", new LastTimeStepVertex("seq"), "rev")
                .addLayer("d", dense(4, Activation.SIGMOID), "last")
                .addLayer("out", softmax(3), "d").setOutputs("out")
                .setInputTypes(InputType.feedForward(2), InputType.recurrent(3, steps)).build();
        Batch batch = new Batch(new INDArray[] {gaussian(r, B, 2), gaussian(r, B, 3, steps)},
                new INDArray[] {oneHot(r, B, 3)}, new INDArray[] {null, GraphBruteForce.prefixMask(r, B, steps)}, null);
        check(conf, batch, BOOKKEEPING, 6);
    }

    @Test
    void twoOutputs_lossesAddUp() {
        Random r = new Random(7);
        var conf = graph(7).addInputs("in")
                .addLayer("d", dense(5, Activation.TANH), "in")
                .addLayer("out1", softmax(3), "d")
                .addLayer("out2", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.IDENTITY).build(), "d", "in")
                .setOutputs("out1", "out2")
                .setInputTypes(InputType.feedForward(4)).build();
        Batch batch = new Batch(new INDArray[] {gaussian(r, B, 4)}, new INDArray[] {oneHot(r, B, 3), gaussian(r, B, 2)},
                null, null);
        check(conf, batch, BOOKKEEPING, 7);
    }

    @Test
    void stackAndUnstack_useTheExactLoop_andOneExampleKeepsAllItsRows() {
        Random r = new Random(8);
        var conf = graph(8).addInputs("a", "b")
                .addVertex("stack", new StackVertex(), "a", "b")
                .addLayer("shared", dense(4, Activation.TANH), "stack")
                .addVertex("ua", new UnstackVertex(0, 2), "shared").addVertex("ub", new UnstackVertex(1, 2), "shared")
                .addVertex("merge", new MergeVertex(), "ua", "ub")
                .addLayer("out", softmax(2), "merge").setOutputs("out")
                .setInputTypes(InputType.feedForward(3), InputType.feedForward(3)).build();
        Batch batch = new Batch(new INDArray[] {gaussian(r, B, 3), gaussian(r, B, 3)}, new INDArray[] {oneHot(r, B, 2)},
                null, null);
        check(conf, batch, PER_EXAMPLE_LOOP, 8);
    }

    @Test
    void multiInputRecurrentGraph_withMasks_usesBookkeeping() {
        Random r = new Random(9);
        int steps = 4;
        var conf = graph(9).addInputs("s1", "s2")
                .addLayer("l1", new LSTM.Builder().nOut(3).activation(Activation.TANH).build(), "s1")
                .addLayer("l2", new LSTM.Builder().nOut(2).activation(Activation.TANH).build(), "s2")
                .addVertex("merge", new MergeVertex(), "l1", "l2")
                .addLayer("out", new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build(), "merge")
                .setOutputs("out")
                .setInputTypes(InputType.recurrent(2, steps), InputType.recurrent(3, steps)).build();
        INDArray mask = GraphBruteForce.prefixMask(r, B, steps);
        INDArray labels = org.nd4j.linalg.factory.Nd4j.zeros(DataType.DOUBLE, B, 2, steps);
        for (int i = 0; i < B; i++) {
            for (int t = 0; t < steps; t++) {
                labels.putScalar(new int[] {i, r.nextInt(2), t}, 1.0);
            }
        }
        Batch batch = new Batch(new INDArray[] {gaussian(r, B, 2, steps), gaussian(r, B, 3, steps)},
                new INDArray[] {labels}, new INDArray[] {mask, mask}, new INDArray[] {mask});
        // LSTM and RnnOutputLayer have rules since issue 11.
        check(conf, batch, BOOKKEEPING, 9);
    }

    /** An attention vertex has parameters and no rule: the exact loop trains (and clips) them too. */
    @Test
    void attentionVertex_usesTheExactLoop_andItsParametersTrain() {
        Random r = new Random(10);
        int steps = 3;
        var conf = graph(10).addInputs("seq")
                .addVertex("attention", new org.deeplearning4j.nn.conf.graph.AttentionVertex.Builder().nOut(4)
                        .nHeads(1).headSize(2).nInKeys(2).nInQueries(2).nInValues(2).projectInput(true).build(),
                        "seq", "seq", "seq")
                .addVertex("last", new LastTimeStepVertex("seq"), "attention")
                .addLayer("out", softmax(2), "last").setOutputs("out")
                .setInputTypes(InputType.recurrent(2, steps)).build();
        ComputationGraph g = init(conf);
        ComputationGraphAdapter adapter = new ComputationGraphAdapter(g, io.github.dpsgd4j.optimizers.pergradient
                .LayerRules.defaults());
        long covered = 0;
        for (long[] range : adapter.trainableRanges()) {
            covered += range[1] - range[0];
        }
        org.junit.jupiter.api.Assertions.assertEquals(g.params().length(), covered, "every parameter is trainable");
        Batch batch = new Batch(new INDArray[] {gaussian(r, B, 2, steps)}, new INDArray[] {oneHot(r, B, 2)}, null, null);
        GraphBruteForce.assertEquivalent(g, batch, PER_EXAMPLE_LOOP, 10);
    }
}
