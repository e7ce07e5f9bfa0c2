package io.github.dpsgd4j.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.api.Model;
import org.nd4j.linalg.dataset.DataSet;

import java.util.Arrays;

/**
 * A Spark {@code Dataset<Row>} as the RDD of {@code DataSet}s the trainer takes: checks on the driver, from
 * the schema and the model's configuration only (no Spark job), that the columns exist and have usable
 * types and that their sizes can fit the model; then maps each partition with a {@link RowConverter},
 * lazily (nothing runs until the trainer prepares its data). The values (nulls, lengths, class indices)
 * are checked row by row when the trainer's preparation job reads them, before any step.
 */
final class RowConversion {

    private RowConversion() {
    }

    /**
     * @param spark the trainer's context, which must be the one {@code rows} belongs to
     * @throws IllegalArgumentException naming the column, its type or size, and what to do
     */
    static JavaRDD<DataSet> of(JavaSparkContext spark, Dataset<Row> rows, RowColumns columns, Model model) {
        if (rows.sparkSession().sparkContext() != spark.sc()) {
            throw new IllegalArgumentException("the rows belong to another SparkContext than the trainer's: make both "
                    + "from one SparkSession (JavaSparkContext.fromSparkContext(session.sparkContext()))");
        }
        ModelSizes sizes = ModelSizes.of(model);
        if (sizes.inputs() != 1 || sizes.outputs() != 1) {
            throw new IllegalArgumentException("the model has " + sizes.inputs() + " inputs and " + sizes.outputs()
                    + " outputs, but rows give one features and one label column: use multiData(JavaRDD<MultiDataSet>)");
        }
        StructType schema = rows.schema();
        RowConverter.Kind featureKind = kind(schema, columns.features(), "features");
        if (featureKind == RowConverter.Kind.INTEGER || featureKind == RowConverter.Kind.FLOATING) {
            throw wrongType(schema, columns.features(), "features");
        }
        RowConverter.Kind labelKind = kind(schema, columns.label(), "label");
        boolean scalarLabel = labelKind == RowConverter.Kind.INTEGER || labelKind == RowConverter.Kind.FLOATING;
        boolean classIndex = columns.labelEncoding() == LabelEncoding.CLASS_INDEX
                || (columns.labelEncoding() == LabelEncoding.BY_TYPE && scalarLabel);
        if (classIndex && !scalarLabel) {
            throw new IllegalArgumentException("label column '" + columns.label() + "' has type "
                    + type(schema, columns.label()) + ", which cannot hold a class index: use an integer column, or "
                    + "LabelEncoding.VALUES (or BY_TYPE) to train on the values as they are");
        }
        long labelSize;
        if (classIndex) {
            labelSize = classes(columns, sizes.outputSize());
        } else {
            labelSize = scalarLabel ? 1 : sizes.outputSize();
            if (scalarLabel && sizes.outputSize() >= 0 && sizes.outputSize() != 1) {
                throw new IllegalArgumentException("label column '" + columns.label() + "' holds one value per row "
                        + "but the model has " + sizes.outputSize() + " outputs: give an array or vector label of "
                        + sizes.outputSize() + " values, or use LabelEncoding.CLASS_INDEX for class indices");
            }
        }
        RowConverter converter = new RowConverter(columns, featureKind, labelKind, classIndex, sizes.inputSize(),
                labelSize, model.params().dataType());
        Dataset<Row> selected = rows.select(rows.col(quoted(columns.features())), rows.col(quoted(columns.label())));
        return selected.javaRDD().mapPartitionsWithIndex(converter, true);
    }

    /** The number of classes: the one given, which must be the model's output size if that is known. */
    private static long classes(RowColumns columns, long outputSize) {
        if (columns.classes() == 0) {
            if (outputSize < 0) {
                throw new IllegalArgumentException("the number of classes of label column '" + columns.label()
                        + "' cannot be read from the model (its output is not an OutputLayer): give it with "
                        + "RowColumns.withClasses(n)");
            }
            if (outputSize < 2) {
                throw new IllegalArgumentException("label column '" + columns.label() + "' holds class indices but "
                        + "the model has " + outputSize + " output: a class-index label needs >= 2 outputs; for a "
                        + "real-valued target use LabelEncoding.VALUES");
            }
            return outputSize;
        }
        if (outputSize >= 0 && columns.classes() != outputSize) {
            throw new IllegalArgumentException("classes is " + columns.classes() + " but the model has " + outputSize
                    + " outputs: give RowColumns.withClasses(" + outputSize + "), or a model with " + columns.classes()
                    + " outputs");
        }
        return columns.classes();
    }

    /** How column {@code name} stores its values. */
    private static RowConverter.Kind kind(StructType schema, String name, String role) {
        DataType type = field(schema, name, role).dataType();
        if (type instanceof ByteType || type instanceof ShortType || type instanceof IntegerType
                || type instanceof LongType) {
            return RowConverter.Kind.INTEGER;
        }
        if (type instanceof FloatType || type instanceof DoubleType) {
            return RowConverter.Kind.FLOATING;
        }
        if (type instanceof ArrayType a && (a.elementType() instanceof FloatType || a.elementType() instanceof DoubleType)) {
            return RowConverter.Kind.ARRAY;
        }
        if (MlVectors.isVector(type)) {
            return RowConverter.Kind.VECTOR;
        }
        throw wrongType(schema, name, role);
    }

    private static IllegalArgumentException wrongType(StructType schema, String name, String role) {
        DataType type = field(schema, name, role).dataType();
        String allowed = role.equals("features") ? "array<float>, array<double> or a Spark ML Vector"
                : "an integer or floating-point class index, array<float>, array<double> or a Spark ML Vector";
        String fix = MlVectors.isOldVector(type) ? "convert it with MLUtils.convertVectorColumnsToML"
                : "cast it (e.g. col(\"" + name + "\").cast(\"" + (role.equals("features") ? "array<double>" : "int")
                + "\")) or assemble it with VectorAssembler";
        return new IllegalArgumentException(role + " column '" + name + "' has type " + type.simpleString()
                + ", but it must be " + allowed + ": " + fix);
    }

    private static String type(StructType schema, String name) {
        return field(schema, name, "").dataType().simpleString();
    }

    private static StructField field(StructType schema, String name, String role) {
        for (StructField f : schema.fields()) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("the rows have no " + role + " column '" + name + "' (columns: "
                + Arrays.toString(schema.fieldNames()) + "): name it with RowColumns.of(features, label)");
    }

    /** A column name as Spark's resolver reads it literally (dots and back quotes included). */
    private static String quoted(String name) {
        return "`" + name.replace("`", "``") + "`";
    }
}
