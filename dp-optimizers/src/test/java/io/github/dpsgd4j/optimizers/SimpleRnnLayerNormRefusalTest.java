package io.github.dpsgd4j.optimizers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SimpleRnn with layer normalisation cannot run in DL4J 1.0.0-M2.1 (its own fit() fails), so the
 * trainer refuses it when it is built, before any privacy is spent, also inside Bidirectional and
 * LastTimeStep, naming the layer and the fix.
 */
class SimpleRnnLayerNormRefusalTest {

    private static SimpleRnn layerNormRnn() {
        return new SimpleRnn.Builder().nOut(4).activation(Activation.TANH).hasLayerNorm(true).build();
    }

    private static MultiLayerNetwork network(Layer recurrent, Layer output) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1)
                .dataType(DataType.DOUBLE).updater(new Sgd(0.1)).list()
                .layer(recurrent).layer(output).setInputType(InputType.recurrent(3, 6)).build());
        net.init();
        return net;
    }

    private static RnnOutputLayer sequenceOutput() {
        return new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2).activation(Activation.IDENTITY).build();
    }

    /** If a DL4J upgrade makes this pass, the refusal can give way to a book-keeping rule. */
    @Test
    void dl4jItself_cannotFitASimpleRnnWithLayerNorm() {
        MultiLayerNetwork net = network(layerNormRnn(), sequenceOutput());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> net.fit(Nd4j.rand(DataType.DOUBLE, 5, 3, 6), Nd4j.rand(DataType.DOUBLE, 5, 2, 6)));
        assertTrue(e.getMessage().contains("Indices are out of range"), e.getMessage());
    }

    @Test
    void simpleRnnWithLayerNorm_isRefusedAtBuild_plainAndWrapped_withTheFix() {
        List<MultiLayerNetwork> nets = List.of(
                network(layerNormRnn(), sequenceOutput()),
                network(new Bidirectional(Bidirectional.Mode.CONCAT, layerNormRnn()), sequenceOutput()),
                network(new LastTimeStep(layerNormRnn()), new OutputLayer.Builder(LossFunctions.LossFunction.MSE)
                        .nOut(2).activation(Activation.IDENTITY).build()));
        for (MultiLayerNetwork net : nets) {
            UnsupportedLayerException e = assertThrows(UnsupportedLayerException.class,
                    () -> DpSgdTrainer.builder(net).l2NormClip(1).noiseMultiplier(1).sampleRate(0.1).build());
            assertTrue(e.getMessage().contains("SimpleRnn") && e.getMessage().contains("hasLayerNorm(false)"),
                    e.getMessage());
        }
    }
}
