package io.github.dpsgd4j.benchmarks.optimizers;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Random;

/**
 * The sequence models of {@link StepBenchmark}: a tagger over token sequences, embedding 32 ->
 * recurrent layer of 128 units -> {@code RnnOutputLayer} with a softmax over {@link #CLASSES} tags
 * at every step, batch {@link #BATCH}, vocabulary {@link #VOCABULARY}, Adam.
 * <ul>
 *   <li>{@code lstm}: DL4J's {@code LSTM} (tanh, sigmoid gates): 4,000 + 82,432 + 1,290 = 87,722
 *       parameters;</li>
 *   <li>{@code rnn}: DL4J's {@code SimpleRnn} (tanh): 4,000 + 20,608 + 1,290 = 25,898 parameters;</li>
 *   <li>{@code attention}: DL4J's {@code SelfAttentionLayer} with projections, 4 heads of 32
 *       (Wq, Wk, Wv [4, 32, 32] and Wo [128, 128]): 4,000 + 28,672 + 1,290 = 33,962 parameters.</li>
 * </ul>
 */
final class SequenceModels {

    static final int BATCH = 64;
    static final int VOCABULARY = 125;
    static final int EMBEDDING = 32;
    static final int UNITS = 128;
    static final int CLASSES = 10;

    private SequenceModels() {
    }

    static boolean isSequenceModel(String model) {
        return model.equals("lstm") || model.equals("rnn") || model.equals("attention");
    }

    static MultiLayerConfiguration configuration(String model, int steps) {
        Layer recurrent = switch (model) {
            case "lstm" -> new LSTM.Builder().nIn(EMBEDDING).nOut(UNITS).activation(Activation.TANH).build();
            case "rnn" -> new SimpleRnn.Builder().nIn(EMBEDDING).nOut(UNITS).activation(Activation.TANH).build();
            case "attention" -> new SelfAttentionLayer.Builder().nIn(EMBEDDING).nOut(UNITS).nHeads(4).headSize(32)
                    .projectInput(true).build();
            default -> throw new IllegalArgumentException("sequence model must be lstm, rnn or attention, got " + model);
        };
        return new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.FLOAT).updater(new Adam(1e-3)).list()
                .layer(new EmbeddingSequenceLayer.Builder().nIn(VOCABULARY).nOut(EMBEDDING).inputLength(steps)
                        .hasBias(false).activation(Activation.IDENTITY).build())
                .layer(recurrent)
                // An explicit format: without it (and without setInputType) DL4J 1.0.0-M2.1's own
                // RnnOutputLayer.backpropGradient compares the wrong dimensions and fit() fails.
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(UNITS).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).dataFormat(RNNFormat.NCW).build())
                .build();
    }

    /** {@link #BATCH} random token sequences of length {@code steps} with random tags. */
    static DataSet syntheticBatch(int steps) {
        Random random = new Random(42);
        INDArray tokens = Nd4j.zeros(DataType.FLOAT, BATCH, steps);
        INDArray tags = Nd4j.zeros(DataType.FLOAT, BATCH, CLASSES, steps);
        for (int i = 0; i < BATCH; i++) {
            for (int t = 0; t < steps; t++) {
                tokens.putScalar(i, t, random.nextInt(VOCABULARY));
                tags.putScalar(new long[] {i, random.nextInt(CLASSES), t}, 1f);
            }
        }
        return new DataSet(tokens, tags);
    }
}
