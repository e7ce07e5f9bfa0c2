package io.github.dpsgd4j.spark;

import io.github.dpsgd4j.core.noise.NoiseSource;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Nesterovs;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A {@code Dataset<Row>} trains exactly as the RDD of the same examples, in the same partitions. */
class SparkRowsTest {

    private static final int N = 48;
    private static final int PARTITIONS = 3;

    /** Two steps (sigma = 1, seeded) on {@code net}; returns its parameters. */
    private static INDArray train(MultiLayerNetwork net, Function<SparkTrainerBuilder, SparkTrainerBuilder> data) {
        try (SparkDpSgdTrainer trainer = data.apply(SparkDpSgdTrainer.builder(SparkFixtures.spark(), net))
                .l2NormClip(0.8).noiseMultiplier(1).sampleRate(0.5).noiseSource(NoiseSource.seeded(17)).build()) {
            assertEquals(N, trainer.trainingSetSize());
            assertEquals(PARTITIONS, trainer.partitions());
            trainer.fit(1);
            assertEquals(2, trainer.ledger().totalSteps());
            return net.params().dup();
        }
    }

    private static INDArray viaRdd;

    /** The parameters the RDD path gives for {@link #examples()} (computed once: every test compares with them). */
    private static synchronized INDArray viaRdd(DataSet data) {
        if (viaRdd == null) {
            viaRdd = train(net(), b -> b.data(SparkFixtures.rdd(data, PARTITIONS)));
        }
        return viaRdd;
    }

    private static MultiLayerNetwork net() {
        return SparkFixtures.mlp(org.nd4j.linalg.api.buffer.DataType.FLOAT, new Nesterovs(0.1, 0.9), 9);
    }

    /** The examples, every other feature zero (so that sparse vectors have something to leave out). */
    private static DataSet examples() {
        DataSet data = SparkFixtures.data(N, org.nd4j.linalg.api.buffer.DataType.FLOAT, 5);
        for (int j = 1; j < SparkFixtures.INPUTS; j += 2) {
            data.getFeatures().getColumn(j).assign(0);
        }
        return data;
    }

    /** One row per example, in the RDD's partitions: features and label made by the given functions. */
    private static Dataset<Row> rows(DataSet data, DataType featuresType, Function<double[], Object> features,
                                     DataType labelType, Function<double[], Object> label) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < data.numExamples(); i++) {
            rows.add(RowFactory.create(features.apply(data.getFeatures().getRow(i).toDoubleVector()),
                    label.apply(data.getLabels().getRow(i).toDoubleVector())));
        }
        StructType schema = new StructType().add("features", featuresType, false).add("label", labelType, false);
        JavaRDD<Row> rdd = SparkFixtures.spark().parallelize(rows, PARTITIONS);
        return SparkFixtures.session().createDataFrame(rdd, schema);
    }

    /** An array column's value as Spark's rows hold it: a Scala sequence. */
    static scala.collection.Seq<Object> seq(List<?> values) {
        return scala.collection.JavaConverters.asScalaBufferConverter(new ArrayList<Object>(values)).asScala().toSeq();
    }

    static scala.collection.Seq<Object> list(double[] values) {
        List<Double> out = new ArrayList<>();
        for (double v : values) {
            out.add(v);
        }
        return seq(out);
    }

    static int argMax(double[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            best = values[i] > values[best] ? i : best;
        }
        return best;
    }

    private static void assertSameParameters(INDArray expected, INDArray actual) {
        double difference = SparkStepEquivalenceTest.relativeDifference(actual, expected);
        assertTrue(difference < 1e-6, "relative difference " + difference);
        assertTrue(SparkStepEquivalenceTest.relativeDifference(actual, net().params()) > 1e-3, "training moved them");
    }

    @Test
    void arrayFeatures_integerLabels_sameSeed_giveTheParametersOfTheRddPath() {
        DataSet data = examples();
        INDArray viaRdd = viaRdd(data);
        Dataset<Row> rows = rows(data, DataTypes.createArrayType(DataTypes.DoubleType, false), SparkRowsTest::list,
                DataTypes.IntegerType, SparkRowsTest::argMax);
        INDArray viaRows = train(net(), b -> b.rows(rows));
        assertSameParameters(viaRdd, viaRows);
    }

    @Test
    void sparseAndDenseVectors_doubleLabels_giveTheParametersOfTheRddPath() {
        DataSet data = examples();
        INDArray viaRdd = viaRdd(data);
        int[] counter = {0};
        Dataset<Row> rows = rows(data, SQLDataTypes.VectorType(), x -> counter[0]++ % 2 == 0
                        ? Vectors.dense(x).toSparse() : Vectors.dense(x),
                DataTypes.DoubleType, y -> (double) argMax(y));
        Row first = rows.head();
        assertTrue(first.get(0) instanceof org.apache.spark.ml.linalg.SparseVector sparse
                && sparse.numActives() == SparkFixtures.INPUTS / 2, "sparse vectors with zeros left out: " + first);
        INDArray viaRows = train(net(), b -> b.rows(rows));
        assertSameParameters(viaRdd, viaRows);
    }

    @Test
    void valuesLabel_namedColumns_floatArrays_giveTheParametersOfTheRddPath() {
        DataSet data = examples();
        INDArray viaRdd = viaRdd(data);
        Function<double[], Object> floats = x -> {
            List<Float> out = new ArrayList<>();
            for (double v : x) {
                out.add((float) v);
            }
            return seq(out);
        };
        Dataset<Row> rows = rows(data, DataTypes.createArrayType(DataTypes.FloatType), floats,
                SQLDataTypes.VectorType(), Vectors::dense).toDF("x", "oneHot");
        INDArray viaRows = train(net(), b -> b.rows(rows, RowColumns.of("x", "oneHot")));
        assertSameParameters(viaRdd, viaRows);
    }

    /**
     * An executor deserialises a lambda by listing the methods of the class that captured it; a class whose
     * methods take a {@code Dataset} would then need spark-sql on every cluster, RDD users' too. The classes
     * with such methods ship no lambdas.
     */
    @Test
    void classesWithDatasetMethods_shipNoLambdas_soRddUsersNeedNoSparkSql() {
        for (Class<?> c : List.of(SparkDpSgdTrainer.class, SparkTrainerBuilder.class, RowConversion.class)) {
            boolean mentionsDatasets = false;
            for (java.lang.reflect.Method m : c.getDeclaredMethods()) {
                mentionsDatasets |= List.of(m.getParameterTypes()).contains(Dataset.class);
                assertTrue(!m.getName().equals("$deserializeLambda$"), c.getSimpleName() + " ships a lambda");
            }
            assertTrue(mentionsDatasets, c.getSimpleName() + " has a method that takes a Dataset");
        }
    }

    @Test
    void conversion_isLazy_andOneDataSetHoldsEachRowInOrder() {
        DataSet data = examples();
        Dataset<Row> rows = rows(data, DataTypes.createArrayType(DataTypes.DoubleType), SparkRowsTest::list,
                DataTypes.LongType, y -> (long) argMax(y));
        String group = "conversion-is-lazy";
        SparkFixtures.spark().setJobGroup(group, "the conversion runs no job", false);
        try {
            JavaRDD<DataSet> converted = RowConversion.of(SparkFixtures.spark(), rows, RowColumns.defaults(), net());
            assertEquals(0, SparkFixtures.spark().statusTracker().getJobIdsForGroup(group).length, "no Spark job");
            List<DataSet> parts = converted.collect(); // the test reads them back; the trainer never does
            assertEquals(PARTITIONS, parts.size(), "one DataSet per partition of up to " + RowConverter.CHUNK + " rows");
            DataSet merged = DataSet.merge(parts);
            assertEquals(org.nd4j.linalg.api.buffer.DataType.FLOAT, merged.getFeatures().dataType());
            assertArrayEquals(data.getFeatures().toFloatMatrix(), merged.getFeatures().toFloatMatrix());
            assertArrayEquals(data.getLabels().toFloatMatrix(), merged.getLabels().toFloatMatrix());
        } finally {
            SparkFixtures.spark().clearJobGroup();
        }
    }
}
