package io.github.dpsgd4j.optimizers.model;

import io.github.dpsgd4j.optimizers.engine.GradientEngine;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GravesLSTM;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.conf.layers.recurrent.TimeDistributed;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Random;

/** Bidirectional and TimeDistributed inside a ComputationGraph: book-keeping equals batch-of-one backprop. */
class RecurrentWrapperGraphTest {

    private static NeuralNetConfiguration.Builder base() {
        return new NeuralNetConfiguration.Builder().seed(8).dataType(DataType.DOUBLE).updater(new Sgd(0.1))
                .trainingWorkspaceMode(WorkspaceMode.NONE).inferenceWorkspaceMode(WorkspaceMode.NONE);
    }

    private static INDArray gaussian(Random random, long... shape) {
        INDArray a = Nd4j.create(DataType.DOUBLE, shape);
        for (long k = 0; k < a.length(); k++) {
            a.putScalar(k, random.nextGaussian());
        }
        return a;
    }

    @Test
    void bidirectionalAndTimeDistributed_inAGraph_matchBatchOfOne() {
        ComputationGraph graph = new ComputationGraph(base().graphBuilder().addInputs("seq")
                .addLayer("bi", new Bidirectional(Bidirectional.Mode.CONCAT,
                        new LSTM.Builder().nOut(3).activation(Activation.TANH).build()), "seq")
                .addLayer("td", new TimeDistributed(new DenseLayer.Builder().nOut(4).activation(Activation.TANH).build()),
                        "bi")
                .addLayer("out", new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.IDENTITY).build(), "td")
                .setOutputs("out").setInputTypes(InputType.recurrent(2, 5)).build());
        graph.init();
        Random random = new Random(8);
        Batch batch = new Batch(new INDArray[] {gaussian(random, 4, 2, 5)}, new INDArray[] {gaussian(random, 4, 2, 5)},
                null, null);
        GraphBruteForce.assertEquivalent(graph, batch, GradientEngine.Strategy.BOOKKEEPING, 8);
    }

    @Test
    void lastTimeStepOfBidirectional_inAGraph_withAMask_matchesBatchOfOne() {
        ComputationGraph graph = new ComputationGraph(base().graphBuilder().addInputs("seq")
                .addLayer("bi", new LastTimeStep(new Bidirectional(Bidirectional.Mode.AVERAGE,
                        new GravesLSTM.Builder().nOut(3).activation(Activation.TANH).build())), "seq")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build(), "bi")
                .setOutputs("out").setInputTypes(InputType.recurrent(2, 6)).build());
        graph.init();
        Random random = new Random(9);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, 5, 2);
        INDArray mask = Nd4j.zeros(DataType.DOUBLE, 5, 6);
        for (int i = 0; i < 5; i++) {
            y.putScalar(i, random.nextInt(2), 1.0);
            int length = 1 + random.nextInt(6);
            for (int t = 0; t < length; t++) {
                mask.putScalar(i, t, 1.0);
            }
        }
        Batch batch = new Batch(new INDArray[] {gaussian(random, 5, 2, 6)}, new INDArray[] {y},
                new INDArray[] {mask}, null);
        GraphBruteForce.assertEquivalent(graph, batch, GradientEngine.Strategy.BOOKKEEPING, 9);
    }
}
