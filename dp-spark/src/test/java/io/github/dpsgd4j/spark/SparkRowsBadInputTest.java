package io.github.dpsgd4j.spark;

import io.github.dpsgd4j.core.noise.NoiseSource;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.learning.config.Sgd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad rows are refused at {@code build()} with the column, the value (partition and row) and the fix, and
 * nothing is spent: no journal or checkpoint is written.
 */
class SparkRowsBadInputTest {

    private static final DataType DOUBLES = DataTypes.createArrayType(DataTypes.DoubleType);

    @TempDir
    Path checkpoints;

    private static MultiLayerNetwork net() {
        return SparkFixtures.mlp(org.nd4j.linalg.api.buffer.DataType.FLOAT, new Sgd(0.1), 1);
    }

    private static List<Double> features(int length, double value) {
        return new ArrayList<>(java.util.Collections.nCopies(length, value));
    }

    /** Rows (features, label) in two partitions. */
    private static Dataset<Row> rows(DataType featuresType, DataType labelType, List<Object[]> values) {
        List<Row> rows = new ArrayList<>();
        for (Object[] v : values) {
            Object[] spark = v.clone();
            for (int i = 0; i < spark.length; i++) {
                spark[i] = spark[i] instanceof List<?> list ? SparkRowsTest.seq(list) : spark[i];
            }
            rows.add(RowFactory.create(spark));
        }
        StructType schema = new StructType().add("features", featuresType).add("label", labelType);
        return SparkFixtures.session().createDataFrame(SparkFixtures.spark().parallelize(rows, 2), schema);
    }

    /** Four good rows of array features and integer labels, then {@code last}. */
    private static Dataset<Row> goodRowsThen(Object... last) {
        List<Object[]> values = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            values.add(new Object[] {features(SparkFixtures.INPUTS, 0.5), i % SparkFixtures.CLASSES});
        }
        values.add(last);
        return rows(DOUBLES, DataTypes.IntegerType, values);
    }

    /** Builds a trainer on {@code rows}, expects the refusal, checks nothing was written; returns the message. */
    private String refused(Model model, Dataset<Row> rows, RowColumns columns) throws IOException {
        SparkTrainerBuilder builder = model instanceof MultiLayerNetwork n
                ? SparkDpSgdTrainer.builder(SparkFixtures.spark(), n)
                : SparkDpSgdTrainer.builder(SparkFixtures.spark(), (org.deeplearning4j.nn.graph.ComputationGraph) model);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> builder.rows(rows, columns)
                .l2NormClip(1).noiseMultiplier(1).sampleRate(0.5).noiseSource(NoiseSource.seeded(1))
                .checkpoints(checkpoints, 0).build());
        try (Stream<Path> files = Files.exists(checkpoints) ? Files.list(checkpoints) : Stream.empty()) {
            assertEquals(0, files.count(), "nothing spent: no journal, no checkpoint");
        }
        return e.getMessage();
    }

    private String refused(Dataset<Row> rows) throws IOException {
        return refused(net(), rows, RowColumns.defaults());
    }

    private static void assertMentions(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), "'" + part + "' in: " + message);
        }
    }

    @Test
    void missingColumn_isNamed_withTheColumnsThereAre() throws IOException {
        String message = refused(net(), goodRowsThen(features(8, 0), 1), RowColumns.of("pixels", "label"));
        assertMentions(message, "no features column 'pixels'", "[features, label]", "RowColumns.of");
    }

    @Test
    void wrongTypes_areNamed_withTheTypesThatWork() throws IOException {
        List<Object[]> text = List.<Object[]>of(new Object[] {"0.1 0.2", 1});
        assertMentions(refused(rows(DataTypes.StringType, DataTypes.IntegerType, text)),
                "features column 'features' has type string", "array<double>", "Vector");
        List<Object[]> labels = List.<Object[]>of(new Object[] {features(8, 0), "cat"});
        assertMentions(refused(rows(DOUBLES, DataTypes.StringType, labels)), "label column 'label' has type string",
                "cast");
        List<Object[]> arrays = List.<Object[]>of(new Object[] {features(8, 0), features(3, 0)});
        assertMentions(refused(net(), rows(DOUBLES, DOUBLES, arrays), RowColumns.defaults().withClasses(3)),
                "cannot hold a class index", "LabelEncoding.VALUES");
    }

    @Test
    void nulls_areNamed_withPartitionAndRow() throws IOException {
        assertMentions(refused(goodRowsThen(null, 1)), "column 'features' is null in partition 1, row 2",
                "na().drop()");
        assertMentions(refused(goodRowsThen(features(8, 0), null)), "column 'label' is null in partition 1, row 2");
        List<Double> holey = features(8, 0);
        holey.set(5, null);
        assertMentions(refused(goodRowsThen(holey, 1)), "column 'features' has a null at index 5 in partition 1, row 2");
    }

    @Test
    void featureLength_thatIsNotTheModelsInputSize_isNamed() throws IOException {
        assertMentions(refused(goodRowsThen(features(7, 0), 1)),
                "column 'features' has 7 values in partition 1, row 2, but the model has 8 inputs", "give every row 8");
        List<Object[]> sparse = List.<Object[]>of(new Object[] {Vectors.sparse(9, new int[] {0}, new double[] {1}), 0});
        assertMentions(refused(rows(SQLDataTypes.VectorType(), DataTypes.IntegerType, sparse)),
                "column 'features' has 9 values in partition 1, row 0, but the model has 8 inputs");
    }

    @Test
    void labelsOutsideTheClasses_orNotWhole_areNamed() throws IOException {
        assertMentions(refused(goodRowsThen(features(8, 0), 3)), "column 'label' holds class 3 in partition 1, row 2, "
                + "outside [0, 3)", "StringIndexer");
        assertMentions(refused(goodRowsThen(features(8, 0), -1)), "holds class -1");
        List<Object[]> half = List.<Object[]>of(new Object[] {features(8, 0), 1.5});
        assertMentions(refused(rows(DOUBLES, DataTypes.DoubleType, half)), "holds 1.5", "not a class index",
                "LabelEncoding.VALUES");
        assertMentions(refused(net(), goodRowsThen(features(8, 0), 1), RowColumns.defaults().withClasses(4)),
                "classes is 4 but the model has 3 outputs");
    }

    @Test
    void valueLabels_ofTheWrongLength_areNamed() throws IOException {
        List<Object[]> values = new ArrayList<>();
        values.add(new Object[] {features(8, 0), features(3, 0)});
        values.add(new Object[] {features(8, 0), features(2, 0)});
        assertMentions(refused(rows(DOUBLES, DOUBLES, values)),
                "column 'label' has 2 values in partition 1, row 0, but the model has 3 outputs");
        List<Object[]> scalar = List.<Object[]>of(new Object[] {features(8, 0), 0.5});
        assertMentions(refused(net(), rows(DOUBLES, DataTypes.DoubleType, scalar),
                RowColumns.defaults().withLabelEncoding(LabelEncoding.VALUES)), "one value per row", "3 outputs");
    }

    @Test
    void aModelWithTwoInputs_isPointedToMultiDataSets() throws IOException {
        assertMentions(refused(SparkFixtures.graph(org.nd4j.linalg.api.buffer.DataType.FLOAT, new Sgd(0.1), 1),
                goodRowsThen(features(8, 0), 1), RowColumns.defaults()), "2 inputs", "multiData");
    }

    @Test
    void rowColumns_refuseBlankOrSharedNames_andOneClass() {
        assertMentions(assertThrows(IllegalArgumentException.class, () -> RowColumns.of(" ", "label")).getMessage(),
                "features column name must not be blank");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> RowColumns.of("x", "x")).getMessage(),
                "different columns");
        assertMentions(assertThrows(IllegalArgumentException.class,
                () -> RowColumns.defaults().withClasses(1)).getMessage(), "classes must be >= 2", "got 1");
        assertMentions(assertThrows(IllegalArgumentException.class,
                () -> new RowColumns("x", "y", LabelEncoding.VALUES, 3)).getMessage(), "VALUES");
        assertFalse(Arrays.asList(RowColumns.defaults().features(), RowColumns.defaults().label()).contains(null));
    }
}
