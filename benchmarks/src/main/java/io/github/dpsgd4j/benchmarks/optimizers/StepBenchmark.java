package io.github.dpsgd4j.benchmarks.optimizers;

import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.optimizers.DpSgdTrainer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * One whole training step at batch 256 (64 for the sequence models), private (DpSgdTrainer: per-example clipping by layer
 * rules, secure noise, the same Adam updater) against non-private ({@code net.fit}). The headline
 * figure is the private / non-private ratio of step times from the same run.
 *
 * <ul>
 *   <li>{@code mlp}: 784-512-512-10, ReLU, softmax output (669,706 parameters);</li>
 *   <li>{@code cnn}: 28x28x1 input, conv 16 filters 8x8 stride 2, max-pool 2x2 stride 1, conv 32
 *       filters 4x4 stride 2, max-pool 2x2 stride 1, dense 32, softmax 10 (the MNIST CNN of
 *       Subramani et al. 2021 / Tramer and Boneh 2021; 26,010 parameters);</li>
 *   <li>{@code resnet}: a small residual {@code ComputationGraph} on 28x28x1: stem conv 8 filters
 *       5x5 stride 2 (Same, 14x14), two residual blocks (conv 8 filters 3x3 ReLU, conv 8 filters
 *       3x3, element-wise add of the block input, ReLU), max-pool 2x2 stride 2, softmax 10 (6,474
 *       parameters);</li>
 *   <li>{@code conv1d}: a text-style 1D convolutional classifier, see {@link Conv1dTextModel}.</li>
 *   <li>{@code lstm}, {@code rnn}, {@code attention}: token taggers at batch 64, sequence length {@code seqLength}
 *       (see {@link SequenceModels}).</li>
 * </ul>
 * The private trainer samples with q = 1 over exactly 256 examples, so every step sees all 256 (the
 * expected batch) and both modes do the same arithmetic work apart from privacy.
 *
 * <p>Memory: at the end of each fork the benchmark prints the fork's peak resident set (VmHWM:
 * heap, off-heap ND4J buffers and everything else) and its peak heap use; compare the lines of the
 * two modes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(java.util.concurrent.TimeUnit.MILLISECONDS)
@Fork(value = 2, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "--add-modules=jdk.incubator.vector"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class StepBenchmark {

    static final int BATCH = 256;
    /** Channels of every convolution of the residual model. */
    static final int CHANNELS = 8;

    @Param({"mlp", "cnn", "resnet", "conv1d", "lstm", "rnn", "attention"})
    public String model;

    /** Sequence length of the sequence models ({@code lstm}, {@code rnn}); ignored by the others. */
    @Param({"20"})
    public int seqLength;

    @Param({"private", "nonprivate"})
    public String mode;

    private Model net;
    private DataSet batch;
    private DpSgdTrainer trainer;

    @Setup(Level.Trial)
    public void setUp() {
        DpSgdTrainer.Builder builder;
        if (model.equals("resnet")) {
            ComputationGraph graph = new ComputationGraph(residualConfiguration());
            graph.init();
            net = graph;
            builder = DpSgdTrainer.builder(graph);
        } else {
            MultiLayerNetwork network = new MultiLayerNetwork(model.equals("conv1d") ? Conv1dTextModel.configuration()
                    : SequenceModels.isSequenceModel(model) ? SequenceModels.configuration(model, seqLength)
                    : configuration(model));
            network.init();
            net = network;
            builder = DpSgdTrainer.builder(network);
        }
        batch = model.equals("conv1d") ? Conv1dTextModel.syntheticBatch(BATCH)
                : SequenceModels.isSequenceModel(model) ? SequenceModels.syntheticBatch(seqLength) : syntheticBatch(model);
        if (mode.equals("private")) {
            trainer = builder.l2NormClip(1.0).noiseMultiplier(1.0).sampleRate(1.0)
                    .physicalBatchSize(batch.numExamples()).noiseSource(NoiseSource.secure()).build();
        } else if (!mode.equals("nonprivate")) {
            throw new IllegalArgumentException("mode must be private or nonprivate, got " + mode);
        }
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            pool.resetPeakUsage();
        }
    }

    @Benchmark
    public double step() {
        if (trainer != null) {
            trainer.step(batch);
        } else if (net instanceof ComputationGraph graph) {
            graph.fit(batch);
        } else {
            ((MultiLayerNetwork) net).fit(batch);
        }
        return net.score();
    }

    @TearDown(Level.Trial)
    public void report() {
        long heap = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                heap += pool.getPeakUsage().getUsed();
            }
        }
        System.out.printf("%n[memory] model=%s mode=%s peakRSS(VmHWM)=%d MiB peakHeapUsed=%d MiB%n",
                model, mode, peakResidentKiB() / 1024, heap >> 20);
    }

    static long peakResidentKiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    static ComputationGraphConfiguration residualConfiguration() {
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder().seed(1)
                .dataType(DataType.FLOAT).updater(new Adam(1e-3)).convolutionMode(ConvolutionMode.Same)
                .graphBuilder().addInputs("in")
                .addLayer("stem", new ConvolutionLayer.Builder(5, 5).stride(2, 2).nOut(CHANNELS)
                        .activation(Activation.RELU).build(), "in");
        String previous = "stem";
        for (int b = 1; b <= 2; b++) {
            g.addLayer("b" + b + "c1", new ConvolutionLayer.Builder(3, 3).nOut(CHANNELS).activation(Activation.RELU).build(),
                            previous)
                    .addLayer("b" + b + "c2", new ConvolutionLayer.Builder(3, 3).nOut(CHANNELS)
                            .activation(Activation.IDENTITY).build(), "b" + b + "c1")
                    .addVertex("b" + b + "add", new ElementWiseVertex(ElementWiseVertex.Op.Add), previous, "b" + b + "c2")
                    .addLayer("b" + b + "relu", new ActivationLayer(Activation.RELU), "b" + b + "add");
            previous = "b" + b + "relu";
        }
        return g.addLayer("pool", new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2)
                        .stride(2, 2).build(), previous)
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                        .activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("out").setInputTypes(InputType.convolutionalFlat(28, 28, 1)).build();
    }

    static MultiLayerConfiguration configuration(String model) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(1)
                .dataType(DataType.FLOAT).updater(new Adam(1e-3)).list();
        switch (model) {
            case "mlp" -> list
                    .layer(new DenseLayer.Builder().nOut(512).activation(Activation.RELU).build())
                    .layer(new DenseLayer.Builder().nOut(512).activation(Activation.RELU).build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                            .activation(Activation.SOFTMAX).build())
                    .setInputType(InputType.feedForward(784));
            case "cnn" -> list
                    .layer(new ConvolutionLayer.Builder(8, 8).stride(2, 2).nOut(16).activation(Activation.RELU).build())
                    .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(1, 1).build())
                    .layer(new ConvolutionLayer.Builder(4, 4).stride(2, 2).nOut(32).activation(Activation.RELU).build())
                    .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(1, 1).build())
                    .layer(new DenseLayer.Builder().nOut(32).activation(Activation.RELU).build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                            .activation(Activation.SOFTMAX).build())
                    .setInputType(InputType.convolutionalFlat(28, 28, 1));
            default -> throw new IllegalArgumentException("model must be mlp or cnn, got " + model);
        }
        return list.build();
    }

    static DataSet syntheticBatch(String model) {
        Random random = new Random(42);
        float[] pixels = new float[BATCH * 784];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = random.nextFloat();
        }
        INDArray x = Nd4j.createFromArray(pixels).reshape(BATCH, 784);
        INDArray y = Nd4j.zeros(DataType.FLOAT, BATCH, 10);
        for (int i = 0; i < BATCH; i++) {
            y.putScalar(i, random.nextInt(10), 1f);
        }
        return new DataSet(x, y);
    }
}
