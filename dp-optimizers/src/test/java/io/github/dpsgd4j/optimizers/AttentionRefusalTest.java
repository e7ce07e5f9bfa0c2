package io.github.dpsgd4j.optimizers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LearnedSelfAttentionLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LearnedSelfAttentionLayer cannot run in DL4J 1.0.0-M2.1 (its own forward pass fails), so the
 * trainer refuses it when it is built, before any privacy is spent, naming the layer and the fix.
 */
class AttentionRefusalTest {

    private static MultiLayerNetwork network(boolean projectInput) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1)
                .dataType(DataType.DOUBLE).updater(new Sgd(0.1)).list()
                .layer(new LearnedSelfAttentionLayer.Builder().nIn(3).nOut(projectInput ? 4 : 3).nHeads(1).nQueries(2)
                        .projectInput(projectInput).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2).activation(Activation.IDENTITY)
                        .build())
                .setInputType(InputType.recurrent(3, 5)).build());
        net.init();
        return net;
    }

    /** If a DL4J upgrade makes this pass, the refusal can give way to a rule. */
    @Test
    void dl4jItself_cannotRunALearnedSelfAttentionLayer() {
        for (boolean projectInput : new boolean[] {true, false}) {
            MultiLayerNetwork net = network(projectInput);
            RuntimeException e = assertThrows(RuntimeException.class,
                    () -> net.output(Nd4j.rand(DataType.DOUBLE, 4, 3, 5)));
            assertTrue(String.valueOf(e.getMessage()).contains("scatter_update"), e.getMessage());
        }
    }

    @Test
    void learnedSelfAttention_isRefusedAtBuild_withTheFix() {
        for (boolean projectInput : new boolean[] {true, false}) {
            MultiLayerNetwork net = network(projectInput);
            UnsupportedLayerException e = assertThrows(UnsupportedLayerException.class,
                    () -> DpSgdTrainer.builder(net).l2NormClip(1).noiseMultiplier(1).sampleRate(0.1).build());
            assertTrue(e.getMessage().contains("LearnedSelfAttentionLayer")
                    && e.getMessage().contains("SelfAttentionLayer followed by pooling"), e.getMessage());
        }
    }
}
