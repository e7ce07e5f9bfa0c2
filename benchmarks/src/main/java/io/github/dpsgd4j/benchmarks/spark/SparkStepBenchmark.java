package io.github.dpsgd4j.benchmarks.spark;

import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.optimizers.DpSgdTrainer;
import io.github.dpsgd4j.spark.SparkDpSgdTrainer;
import io.github.dpsgd4j.spark.StepTimings;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Nesterovs;
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

import java.util.Random;

/**
 * One private step on Spark {@code local[2]} (dp-spark's {@code SparkDpSgdTrainer}: broadcast, two
 * tasks, treeAggregate, noise and update on the driver) against the single-machine private step
 * ({@code DpSgdTrainer.step}), same model, same data (N = 8 x the expected batch synthetic examples),
 * same Poisson sampling rate q = 1/8 and secure noise, at expected batches of 256, 1,024 and 4,096. The
 * headline figure is the spark / local ratio of step times from the same run, per expected batch.
 *
 * <ul>
 *   <li>{@code mlp}: StepBenchmark's 784-512-512-10 ReLU MLP with Adam (669,706 parameters);</li>
 *   <li>{@code digits}: the command line's digits MLP, 64-64 tanh-10 softmax with Nesterov
 *       (4,810 parameters).</li>
 * </ul>
 * At the end of each spark trial it prints where the time went, as means per step over the trial: the
 * driver's broadcast, job and update times, and from Spark's task metrics (a {@link TaskTimes}
 * listener) the tasks' deserialisation, run and result-serialisation times and the job's time outside
 * its longest task (scheduling, fetching results, {@code treeAggregate}'s merge); and the bytes moved.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(java.util.concurrent.TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx3g", "--add-modules=jdk.incubator.vector",
        "-XX:+IgnoreUnrecognizedVMOptions", "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
        "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/java.net=ALL-UNNAMED",
        "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/java.util=ALL-UNNAMED",
        "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
        "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
        "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED", "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
        "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
        "--add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED", "-Djdk.reflect.useDirectMethodHandle=false"})
@Warmup(iterations = 3, time = 4)
@Measurement(iterations = 5, time = 4)
public class SparkStepBenchmark {

    /** N / expected batch: q = 1/8 at every batch size. */
    static final int EXAMPLES_PER_BATCH = 8;

    @Param({"mlp", "digits"})
    public String model;

    @Param({"local", "spark"})
    public String engine;

    @Param({"256", "1024", "4096"})
    public int batch;

    private DpSgdTrainer local;
    private SparkDpSgdTrainer spark;
    private JavaSparkContext context;
    private DataSet data;
    private long steps;
    private long broadcastNanos;
    private long jobNanos;
    private long updateNanos;
    private TaskTimes taskTimes;

    @Setup(Level.Trial)
    public void setUp() {
        MultiLayerNetwork net = new MultiLayerNetwork(configuration(model));
        net.init();
        int inputs = model.equals("mlp") ? 784 : 64;
        data = syntheticData(EXAMPLES_PER_BATCH * batch, inputs, 10);
        double q = 1.0 / EXAMPLES_PER_BATCH;
        if (engine.equals("local")) {
            local = DpSgdTrainer.builder(net).l2NormClip(1).noiseMultiplier(1).sampleRate(q)
                    .physicalBatchSize(256).noiseSource(NoiseSource.secure()).build();
        } else if (engine.equals("spark")) {
            context = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("SparkStepBenchmark")
                    .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                    .set("spark.driver.bindAddress", "127.0.0.1"));
            // parallelize keeps the examples in the partition objects, which every task would carry: cache them
            // and cut the lineage once (docs/spark.md, "Data"), as an RDD read from files needs no such step.
            JavaRDD<DataSet> rdd = context.parallelize(data.batchBy(256), 2).cache();
            rdd.rdd().localCheckpoint();
            rdd.count();

            spark = SparkDpSgdTrainer.builder(context, net).data(rdd)
                    .l2NormClip(1).noiseMultiplier(1).sampleRate(q).physicalBatchSize(256)
                    .noiseSource(NoiseSource.secure()).build();
            taskTimes = new TaskTimes(); // after build: only the steps' jobs
            context.sc().addSparkListener(taskTimes);
        } else {
            throw new IllegalArgumentException("engine must be local or spark, got " + engine);
        }
    }

    @Benchmark
    public int step() {
        if (local != null) {
            return local.step(data).batchSize();
        }
        int size = spark.step().batchSize();
        StepTimings t = spark.lastStepTimings().orElseThrow();
        steps++;
        broadcastNanos += t.broadcastNanos();
        jobNanos += t.jobNanos();
        updateNanos += t.updateNanos();
        return size;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (spark != null) {
            StepTimings t = spark.lastStepTimings().orElseThrow();
            System.out.printf("%n[spark] model=%s batch=%d steps=%d mean per step: broadcast %.2f ms, job (tasks + "
                            + "treeAggregate) %.2f ms, noise + update %.2f ms; parameters %d bytes, partition sums %d bytes%n",
                    model, batch, steps, broadcastNanos / 1e6 / steps, jobNanos / 1e6 / steps,
                    updateNanos / 1e6 / steps, t.parameterBytes(), t.aggregateBytes());
            System.out.println("[spark] model=" + model + " batch=" + batch + " " + taskTimes.summary());
            spark.close();
            context.close();
        }
    }

    static MultiLayerConfiguration configuration(String model) {
        return switch (model) {
            case "mlp" -> new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.FLOAT)
                    .updater(new Adam(1e-3)).list()
                    .layer(new DenseLayer.Builder().nOut(512).activation(Activation.RELU).build())
                    .layer(new DenseLayer.Builder().nOut(512).activation(Activation.RELU).build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                            .activation(Activation.SOFTMAX).build())
                    .setInputType(InputType.feedForward(784)).build();
            case "digits" -> new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.FLOAT)
                    .updater(new Nesterovs(0.1, 0.9)).weightInit(WeightInit.XAVIER).list()
                    .layer(new DenseLayer.Builder().nOut(64).activation(Activation.TANH).build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                            .activation(Activation.SOFTMAX).build())
                    .setInputType(InputType.feedForward(64)).build();
            default -> throw new IllegalArgumentException("model must be mlp or digits, got " + model);
        };
    }

    static DataSet syntheticData(int examples, int inputs, int classes) {
        Random random = new Random(7);
        float[][] x = new float[examples][inputs];
        float[][] y = new float[examples][classes];
        for (int i = 0; i < examples; i++) {
            for (int j = 0; j < inputs; j++) {
                x[i][j] = random.nextFloat();
            }
            y[i][random.nextInt(classes)] = 1;
        }
        return new DataSet(Nd4j.create(x), Nd4j.create(y));
    }
}
