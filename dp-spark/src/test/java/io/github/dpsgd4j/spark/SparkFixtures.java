package io.github.dpsgd4j.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One embedded Spark context per test JVM ({@code local[2,2]}: two threads, a failed task is retried
 * once) and small models and data sets.
 */
final class SparkFixtures {

    static final int INPUTS = 8;
    static final int CLASSES = 3;

    private static JavaSparkContext context;

    private SparkFixtures() {
    }

    /** The shared context (stopped by Spark's shutdown hook when the JVM exits). */
    static synchronized JavaSparkContext spark() {
        if (context == null) {
            SparkConf conf = new SparkConf().setMaster("local[2,2]").setAppName("dp-spark-tests")
                    .set("spark.ui.enabled", "false")
                    .set("spark.driver.host", "127.0.0.1")
                    .set("spark.driver.bindAddress", "127.0.0.1");
            context = new JavaSparkContext(conf);
        }
        return context;
    }

    /** The Spark SQL session on the shared context (for {@code Dataset<Row>} data). */
    static SparkSession session() {
        spark();
        return SparkSession.builder().getOrCreate(); // the active context: the shared one
    }

    /** A small MLP: INPUTS -> 6 tanh -> CLASSES softmax. */
    static MultiLayerNetwork mlp(DataType type, IUpdater updater, long seed) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).dataType(type).updater(updater)
                .list()
                .layer(new DenseLayer.Builder().nIn(INPUTS).nOut(6).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** A graph with two inputs (INPUTS and 4 features) merged into one dense layer, one softmax output. */
    static ComputationGraph graph(DataType type, IUpdater updater, long seed) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).dataType(type)
                .updater(updater).graphBuilder()
                .addInputs("a", "b")
                .addLayer("da", new DenseLayer.Builder().nIn(INPUTS).nOut(5).activation(Activation.TANH).build(), "a")
                .addLayer("db", new DenseLayer.Builder().nIn(4).nOut(3).activation(Activation.TANH).build(), "b")
                .addVertex("merge", new org.deeplearning4j.nn.conf.graph.MergeVertex(), "da", "db")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build(), "merge")
                .setOutputs("out")
                .build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    /** n random examples with one-hot labels, as one DataSet. */
    static DataSet data(int n, DataType type, long seed) {
        Random random = new Random(seed);
        double[][] x = new double[n][INPUTS];
        double[][] y = new double[n][CLASSES];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < INPUTS; j++) {
                x[i][j] = random.nextGaussian() * 2;
            }
            y[i][random.nextInt(CLASSES)] = 1;
        }
        return new DataSet(Nd4j.create(x).castTo(type), Nd4j.create(y).castTo(type));
    }

    /** The examples of {@code data} as single-example DataSets, in order. */
    static List<DataSet> rows(DataSet data) {
        List<DataSet> out = new ArrayList<>();
        for (int i = 0; i < data.numExamples(); i++) {
            out.add(data.get(i));
        }
        return out;
    }

    /** The examples of {@code data} in {@code partitions} contiguous partitions, one DataSet per example. */
    static JavaRDD<DataSet> rdd(DataSet data, int partitions) {
        return spark().parallelize(rows(data), partitions);
    }

    /** n random two-input examples. */
    static MultiDataSet multiData(int n, DataType type, long seed) {
        DataSet a = data(n, type, seed);
        Random random = new Random(seed + 1);
        double[][] b = new double[n][4];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 4; j++) {
                b[i][j] = random.nextGaussian();
            }
        }
        return new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[] {a.getFeatures(), Nd4j.create(b).castTo(type)},
                new INDArray[] {a.getLabels()});
    }

    /** Single-example MultiDataSets of {@code data}, in order. */
    static List<MultiDataSet> multiRows(MultiDataSet data) {
        List<MultiDataSet> out = new ArrayList<>();
        long n = data.getFeatures(0).size(0);
        for (int i = 0; i < n; i++) {
            int[] row = {i};
            out.add(new org.nd4j.linalg.dataset.MultiDataSet(
                    new INDArray[] {io.github.dpsgd4j.optimizers.model.Batch.rows(data.getFeatures(0), row),
                            io.github.dpsgd4j.optimizers.model.Batch.rows(data.getFeatures(1), row)},
                    new INDArray[] {io.github.dpsgd4j.optimizers.model.Batch.rows(data.getLabels(0), row)}));
        }
        return out;
    }
}
