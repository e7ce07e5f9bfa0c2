package io.github.dpsgd4j.examples.training;

import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.examples.data.DatasetName;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The models the command line trains. All use tanh activations (bounded activations suit DP-SGD:
 * Papernot et al. 2021, "Tempered Sigmoid Activations for Deep Learning with Differential
 * Privacy", AAAI), a softmax output with cross-entropy loss, and Nesterov momentum
 * {@value RunRecipe#MOMENTUM}.
 */
public enum ModelKind {

    /**
     * A multilayer perceptron on the pixels: one tanh hidden layer of 64 units for inputs of up to
     * 64 pixels (the 64-64-10 network of the demo), 128 units otherwise.
     */
    MLP("mlp", 0.1),

    /**
     * A tanh convolutional network on the pixels. For images of at least 16 x 16 pixels it is the
     * end-to-end network of Tramer and Boneh (ICLR 2021) for MNIST-sized inputs: 16 filters 8x8
     * stride 2 padding 2, max-pool 2x2 stride 1, 32 filters 4x4 stride 2, max-pool 2x2 stride 1,
     * dense 32, softmax. For smaller images (the 8 x 8 digits): 16 filters 3x3 padding 1, max-pool
     * 2x2 stride 2, 32 filters 3x3 padding 1, max-pool 2x2 stride 2, dense 32, softmax.
     */
    CNN("cnn", 0.1),

    /**
     * A linear softmax classifier on ScatterNet features (scattering transform J = 2, L = 8 and
     * per-example group normalisation; Tramer and Boneh, ICLR 2021), weights initialised to 0;
     * default learning rate 16 (with clip 0.1, as in the Fashion-MNIST preset).
     */
    SCATTERNET("scatternet", 16.0),

    /**
     * A recurrent classifier that reads an image as a sequence, row after row (one time step per
     * row, the row's pixels as the step's inputs: the classic row-sequential MNIST task): an
     * {@code LSTM} (tanh, sigmoid gates) of {@value #LSTM_UNITS} units, its output at the last
     * row only ({@code LastTimeStep}), then a softmax layer. Both layers go through dp-optimizers'
     * book-keeping rules (no per-example loop). Its inputs are the pixels as [N, rows, columns]
     * (NWC: examples, time steps, inputs per step), which {@link PreparedData} builds.
     */
    LSTM("lstm", 1.0);

    /**
     * LSTM units (chosen by measurement: 64 units cost 2.5 times as much per private step on
     * Fashion-MNIST; docs/examples.md).
     */
    static final int LSTM_UNITS = 32;
    /** Default epochs of every model but the LSTM on Fashion-MNIST. */
    public static final int DEFAULT_EPOCHS = 30;
    /** Default expected batch size of every model but the LSTM on Fashion-MNIST. */
    public static final int DEFAULT_BATCH_SIZE = 256;
    /** Default epochs of the LSTM on Fashion-MNIST. */
    public static final int LSTM_FASHION_MNIST_EPOCHS = 6;
    /** Default expected batch size of the LSTM on Fashion-MNIST. */
    public static final int LSTM_FASHION_MNIST_BATCH_SIZE = 1024;

    private final String cliName;
    private final double defaultLearningRate;

    ModelKind(String cliName, double defaultLearningRate) {
        this.cliName = cliName;
        this.defaultLearningRate = defaultLearningRate;
    }

    /** The name on the command line and in reports. */
    public String cliName() {
        return cliName;
    }

    /** The learning rate used when none is given. */
    public double defaultLearningRate() {
        return defaultLearningRate;
    }

    /**
     * Epochs used when none is given: {@value #DEFAULT_EPOCHS}, except {@link #LSTM} on
     * Fashion-MNIST: {@value #LSTM_FASHION_MNIST_EPOCHS} (a private LSTM step is costly: this keeps
     * the run within about 30 minutes on 2 cores; docs/examples.md has the measurements).
     */
    public int defaultEpochs(DatasetName dataset) {
        Checks.notNull("dataset", dataset);
        return this == LSTM && dataset == DatasetName.FASHION_MNIST ? LSTM_FASHION_MNIST_EPOCHS : DEFAULT_EPOCHS;
    }

    /**
     * Expected Poisson batch size used when none is given: {@value #DEFAULT_BATCH_SIZE}, except
     * {@link #LSTM} on Fashion-MNIST: {@value #LSTM_FASHION_MNIST_BATCH_SIZE}.
     */
    public int defaultBatchSize(DatasetName dataset) {
        Checks.notNull("dataset", dataset);
        return this == LSTM && dataset == DatasetName.FASHION_MNIST ? LSTM_FASHION_MNIST_BATCH_SIZE
                : DEFAULT_BATCH_SIZE;
    }

    /** Whether the model is trained on ScatterNet features rather than pixels. */
    public boolean usesScatteringFeatures() {
        return this == SCATTERNET;
    }

    /** Whether the model reads each image as a sequence of rows ([N, rows, columns] inputs). */
    public boolean usesRowSequences() {
        return this == LSTM;
    }

    /**
     * The model named {@code name} (case-insensitive).
     *
     * @throws IllegalArgumentException naming the known models if there is none
     */
    public static ModelKind parse(String name) {
        Checks.notNull("name", name);
        for (ModelKind m : values()) {
            if (m.cliName.equalsIgnoreCase(name.trim())) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown model '" + name + "': expected one of " + names());
    }

    /** The known names, comma-separated. */
    public static String names() {
        return Arrays.stream(values()).map(ModelKind::cliName).collect(Collectors.joining(", "));
    }

    /**
     * A new, initialised network.
     *
     * @param imageHeight   image height (for the CNN; the number of time steps of the LSTM), {@code >= 1}
     * @param imageWidth    image width (for the CNN; the inputs per time step of the LSTM), {@code >= 1}
     * @param inputLength   inputs per example: pixels, or features for {@link #SCATTERNET}
     * @param classes       number of classes, {@code >= 2}
     * @param learningRate  Nesterov learning rate, finite and {@code > 0}
     * @param seed          seed of the weight initialisation (data-independent; not privacy noise)
     */
    public MultiLayerNetwork build(int imageHeight, int imageWidth, int inputLength, int classes, double learningRate,
                                   long seed) {
        Checks.positive("imageHeight", imageHeight);
        Checks.positive("imageWidth", imageWidth);
        Checks.positive("inputLength", inputLength);
        if (classes < 2) {
            throw new IllegalArgumentException("classes must be >= 2, got " + classes);
        }
        Checks.finitePositive("learningRate", learningRate);
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(new Nesterovs(learningRate, RunRecipe.MOMENTUM))
                .weightInit(WeightInit.XAVIER)
                .list();
        MultiLayerConfiguration conf = switch (this) {
            case MLP -> list
                    .layer(new DenseLayer.Builder().nOut(inputLength <= 64 ? 64 : 128).activation(Activation.TANH).build())
                    .layer(output(classes))
                    .setInputType(InputType.feedForward(inputLength))
                    .build();
            case CNN -> {
                requirePixels(imageHeight, imageWidth, inputLength);
                boolean large = imageHeight >= 16 && imageWidth >= 16;
                if (large) {
                    list.layer(new ConvolutionLayer.Builder(8, 8).stride(2, 2).padding(2, 2).nOut(16)
                                    .activation(Activation.TANH).build())
                            .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
                                    .kernelSize(2, 2).stride(1, 1).build())
                            .layer(new ConvolutionLayer.Builder(4, 4).stride(2, 2).nOut(32)
                                    .activation(Activation.TANH).build())
                            .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
                                    .kernelSize(2, 2).stride(1, 1).build());
                } else {
                    list.layer(new ConvolutionLayer.Builder(3, 3).padding(1, 1).nOut(16)
                                    .activation(Activation.TANH).build())
                            .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
                                    .kernelSize(2, 2).stride(2, 2).build())
                            .layer(new ConvolutionLayer.Builder(3, 3).padding(1, 1).nOut(32)
                                    .activation(Activation.TANH).build())
                            .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
                                    .kernelSize(2, 2).stride(2, 2).build());
                }
                yield list.layer(new DenseLayer.Builder().nOut(32).activation(Activation.TANH).build())
                        .layer(output(classes))
                        .setInputType(InputType.convolutionalFlat(imageHeight, imageWidth, 1))
                        .build();
            }
            case LSTM -> {
                requirePixels(imageHeight, imageWidth, inputLength);
                yield list.layer(new LastTimeStep(new org.deeplearning4j.nn.conf.layers.LSTM.Builder()
                                .nOut(LSTM_UNITS).activation(Activation.TANH).gateActivationFunction(Activation.SIGMOID)
                                .dataFormat(RNNFormat.NWC).build()))
                        .layer(output(classes))
                        .setInputType(InputType.recurrent(imageWidth, imageHeight, RNNFormat.NWC))
                        .build();
            }
            case SCATTERNET -> list
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(classes)
                            .activation(Activation.SOFTMAX).weightInit(WeightInit.ZERO).build())
                    .setInputType(InputType.feedForward(inputLength))
                    .build();
        };
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private void requirePixels(int imageHeight, int imageWidth, int inputLength) {
        if ((long) imageHeight * imageWidth != inputLength) {
            throw new IllegalArgumentException("the " + cliName + " takes pixels: inputLength must equal imageHeight x "
                    + "imageWidth (" + (long) imageHeight * imageWidth + "), got " + inputLength);
        }
    }

    private static OutputLayer output(int classes) {
        return new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(classes)
                .activation(Activation.SOFTMAX).build();
    }

    @Override
    public String toString() {
        return cliName;
    }
}
