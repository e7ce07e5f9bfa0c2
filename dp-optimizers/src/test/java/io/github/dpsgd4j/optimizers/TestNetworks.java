package io.github.dpsgd4j.optimizers;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Random;

/** Small networks and data sets shared by the trainer tests. */
final class TestNetworks {

    private TestNetworks() {
    }

    static MultiLayerNetwork mlp(long seed, int in, int hidden, int classes, IUpdater updater, DataType dataType) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).dataType(dataType)
                .updater(updater).list()
                .layer(new DenseLayer.Builder().nOut(hidden).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(classes)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(in))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    static DataSet gaussianData(long seed, int n, int in, int classes, DataType dataType) {
        Random random = new Random(seed);
        INDArray x = Nd4j.create(dataType, n, in);
        INDArray y = Nd4j.zeros(dataType, n, classes);
        for (int i = 0; i < n; i++) {
            int label = random.nextInt(classes);
            for (int j = 0; j < in; j++) {
                x.putScalar(i, j, random.nextGaussian() + (j % classes == label ? 1.5 : 0));
            }
            y.putScalar(i, label, 1);
        }
        return new DataSet(x, y);
    }
}
