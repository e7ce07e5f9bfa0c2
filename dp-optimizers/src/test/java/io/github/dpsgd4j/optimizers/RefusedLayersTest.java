package io.github.dpsgd4j.optimizers;

import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.AutoEncoder;
import org.deeplearning4j.nn.conf.layers.CenterLossOutputLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.variational.VariationalAutoencoder;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layers and settings of issue 11 that cannot be trained privately are refused when the trainer
 * is built (before any privacy is spent), with a message that names the layer and says what to do.
 */
class RefusedLayersTest {

    private static MultiLayerNetwork network(Layer hidden, Layer output) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1)
                .dataType(DataType.DOUBLE).updater(new Sgd(0.1)).list()
                .layer(hidden).layer(output).setInputType(InputType.feedForward(4)).build());
        net.init();
        return net;
    }

    private static OutputLayer softmax() {
        return new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2).activation(Activation.SOFTMAX).build();
    }

    private static UnsupportedLayerException refusal(MultiLayerNetwork net) {
        return assertThrows(UnsupportedLayerException.class,
                () -> DpSgdTrainer.builder(net).l2NormClip(1).noiseMultiplier(1).sampleRate(0.1).build());
    }

    @Test
    void autoEncoder_isRefused_withTheLayerAndTheFix() {
        UnsupportedLayerException e = refusal(network(new AutoEncoder.Builder().nOut(3).build(), softmax()));
        assertTrue(e.getMessage().contains("index 0 (AutoEncoder") && e.getMessage().contains("pretraining")
                && e.getMessage().contains("DenseLayer") && e.getMessage().contains("FrozenLayer"), e.getMessage());
    }

    @Test
    void variationalAutoencoder_isRefused_withTheLayerAndTheFix() {
        UnsupportedLayerException e = refusal(network(new VariationalAutoencoder.Builder().encoderLayerSizes(5)
                .decoderLayerSizes(5).nOut(2).build(), softmax()));
        assertTrue(e.getMessage().contains("index 0 (VariationalAutoencoder") && e.getMessage().contains("DenseLayer"),
                e.getMessage());
    }

    @Test
    void centerLossOutputLayer_isRefused_withTheFix() {
        UnsupportedLayerException e = refusal(network(new DenseLayer.Builder().nOut(3).build(),
                new CenterLossOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build()));
        assertTrue(e.getMessage().contains("CenterLossOutputLayer") && e.getMessage().contains("use an OutputLayer"),
                e.getMessage());
    }

    @Test
    void truncatedBackpropagationThroughTime_isRefused_inMultiLayerNetworks() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1)
                .dataType(DataType.DOUBLE).updater(new Sgd(0.1)).list()
                .layer(new LSTM.Builder().nOut(3).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.recurrent(4, 6))
                .backpropType(BackpropType.TruncatedBPTT).tBPTTLength(3).build());
        net.init();
        UnsupportedLayerException e = refusal(net);
        assertTrue(e.getMessage().contains("BackpropType.Standard"), e.getMessage());
    }
}
