package io.github.dpsgd4j.benchmarks.optimizers;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Random;

/**
 * {@code StepBenchmark}'s {@code conv1d} model, a text-style 1D convolutional classifier: token
 * indices [batch, 50] from a vocabulary of 1,000 -> {@code EmbeddingSequenceLayer} 32 wide
 * ([batch, 32, 50], NCW) -> {@code Convolution1DLayer} 64 filters, kernel 3, Same mode, ReLU
 * ([batch, 64, 50]) -> global max pooling over time ([batch, 64]) -> softmax over 4 classes
 * (32,000 + 6,208 + 260 = 38,468 parameters).
 */
final class Conv1dTextModel {

    static final int VOCABULARY = 1000;
    static final int LENGTH = 50;
    static final int WIDTH = 32;
    static final int FILTERS = 64;
    static final int CLASSES = 4;

    private Conv1dTextModel() {
    }

    static MultiLayerConfiguration configuration() {
        return new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.FLOAT).updater(new Adam(1e-3))
                .convolutionMode(ConvolutionMode.Same).list()
                .layer(new EmbeddingSequenceLayer.Builder().nIn(VOCABULARY).nOut(WIDTH).inputLength(LENGTH)
                        .hasBias(false).build())
                .layer(new Convolution1DLayer.Builder(3).nIn(WIDTH).nOut(FILTERS).activation(Activation.RELU).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.MAX).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(FILTERS).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .build();
    }

    /** {@code batch} random token sequences with random one-hot labels (seeded). */
    static DataSet syntheticBatch(int batch) {
        Random random = new Random(42);
        float[] tokens = new float[batch * LENGTH];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = random.nextInt(VOCABULARY);
        }
        INDArray x = Nd4j.createFromArray(tokens).reshape(batch, LENGTH);
        INDArray y = Nd4j.zeros(DataType.FLOAT, batch, CLASSES);
        for (int i = 0; i < batch; i++) {
            y.putScalar(i, random.nextInt(CLASSES), 1f);
        }
        return new DataSet(x, y);
    }
}
