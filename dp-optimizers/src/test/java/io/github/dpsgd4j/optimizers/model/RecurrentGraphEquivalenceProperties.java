package io.github.dpsgd4j.optimizers.model;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.rnn.LastTimeStepVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.GravesLSTM;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Random;

import static io.github.dpsgd4j.optimizers.engine.GradientEngine.Strategy.BOOKKEEPING;
import static io.github.dpsgd4j.optimizers.model.GraphBruteForce.gaussian;
import static io.github.dpsgd4j.optimizers.model.GraphBruteForce.oneHot;
import static io.github.dpsgd4j.optimizers.model.GraphVertexEquivalenceTest.dense;
import static io.github.dpsgd4j.optimizers.model.GraphVertexEquivalenceTest.graph;
import static io.github.dpsgd4j.optimizers.model.GraphVertexEquivalenceTest.softmax;

/**
 * The recurrent rules inside a ComputationGraph: two recurrent branches (LSTM over SimpleRnn, and
 * GravesLSTM) merged into a per-step RnnOutputLayer, plus a last-time-step head with its own
 * output, with variable-length masks; equal to batch-of-one DL4J backprop through the graph.
 */
class RecurrentGraphEquivalenceProperties {

    @Property(tries = 12)
    void recurrentGraph_matchesBatchOfOne(@ForAll @IntRange(min = 1, max = 5) int batch,
                                          @ForAll @IntRange(min = 1, max = 12) int steps,
                                          @ForAll @IntRange(min = 1, max = 4) int width,
                                          @ForAll boolean masked,
                                          @ForAll long seed) {
        Random r = new Random(seed);
        var conf = graph(seed).addInputs("seq")
                .addLayer("rnn", new SimpleRnn.Builder().nOut(width).activation(Activation.TANH).build(), "seq")
                .addLayer("lstm", new LSTM.Builder().nOut(width + 1).activation(Activation.TANH).build(), "rnn")
                .addLayer("graves", new GravesLSTM.Builder().nOut(width).activation(Activation.SOFTSIGN).build(), "seq")
                .addVertex("merge", new MergeVertex(), "lstm", "graves")
                .addLayer("tags", new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "merge")
                .addVertex("last", new LastTimeStepVertex("seq"), "graves")
                .addLayer("hidden", dense(width, Activation.TANH), "last")
                .addLayer("label", softmax(2), "hidden")
                .setOutputs("tags", "label")
                .setInputTypes(InputType.recurrent(2, steps)).build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        INDArray tags = Nd4j.zeros(DataType.DOUBLE, batch, 3, steps);
        for (int i = 0; i < batch; i++) {
            for (int t = 0; t < steps; t++) {
                tags.putScalar(new long[] {i, r.nextInt(3), t}, 1.0);
            }
        }
        INDArray mask = masked ? GraphBruteForce.prefixMask(r, batch, steps) : null;
        Batch data = new Batch(new INDArray[] {gaussian(r, batch, 2, steps)},
                new INDArray[] {tags, oneHot(r, batch, 2)},
                masked ? new INDArray[] {mask} : null, masked && steps > 1 ? new INDArray[] {mask, null} : null);
        GraphBruteForce.assertEquivalent(g, data, BOOKKEEPING, seed);
    }
}
