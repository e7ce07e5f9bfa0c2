package io.github.dpsgd4j.spark;

/**
 * Which columns of a Spark {@code Dataset<Row>} hold an example's features and label, and what the label
 * means; given to {@link SparkTrainerBuilder#rows(org.apache.spark.sql.Dataset, RowColumns)}. Each row is
 * one training example.
 * <ul>
 *   <li>The features column: {@code array<float>}, {@code array<double>} or a Spark ML
 *       {@code org.apache.spark.ml.linalg.Vector} (dense or sparse, e.g. from {@code VectorAssembler}), of the
 *       model's input size.</li>
 *   <li>The label column, by {@link LabelEncoding}: a class index (integer, or a whole floating-point
 *       number), one-hot encoded over {@code classes} classes; or the target values (an array or
 *       {@code Vector} of the model's output size, or one number for a model with one output).</li>
 * </ul>
 * Immutable.
 *
 * @param features      the features column's name; not blank
 * @param label         the label column's name; not blank, not the features column
 * @param labelEncoding what the label column holds
 * @param classes       the number of classes of a class-index label, {@code >= 2}; 0 to take the model's
 *                      output size. Must be 0 when the label holds values.
 */
public record RowColumns(String features, String label, LabelEncoding labelEncoding, int classes) {

    /** The features column's name when none is given. */
    public static final String DEFAULT_FEATURES = "features";
    /** The label column's name when none is given. */
    public static final String DEFAULT_LABEL = "label";

    /** @throws IllegalArgumentException naming the field, the rule and the value */
    public RowColumns {
        requireName("features", features);
        requireName("label", label);
        if (features.equals(label)) {
            throw new IllegalArgumentException("features and label must be different columns, both are '" + features
                    + "'");
        }
        if (labelEncoding == null) {
            throw new IllegalArgumentException("labelEncoding must not be null: use LabelEncoding.BY_TYPE to decide "
                    + "by the label column's type");
        }
        if (classes < 0 || classes == 1) {
            throw new IllegalArgumentException("classes must be >= 2, or 0 for the model's output size, got " + classes);
        }
        if (classes > 0 && labelEncoding == LabelEncoding.VALUES) {
            throw new IllegalArgumentException("classes (" + classes + ") applies to a class-index label, but "
                    + "labelEncoding is VALUES: give classes 0, or use LabelEncoding.CLASS_INDEX");
        }
    }

    /** Columns "features" and "label", the label's meaning by its type, classes from the model. */
    public static RowColumns defaults() {
        return of(DEFAULT_FEATURES, DEFAULT_LABEL);
    }

    /** The given columns, the label's meaning by its type, classes from the model. */
    public static RowColumns of(String features, String label) {
        return new RowColumns(features, label, LabelEncoding.BY_TYPE, 0);
    }

    /** These columns with a class-index label over {@code classes} classes ({@code >= 2}). */
    public RowColumns withClasses(int classes) {
        return new RowColumns(features, label, LabelEncoding.CLASS_INDEX, classes);
    }

    /** These columns with the label read as {@code encoding} says (classes back to the model's when VALUES). */
    public RowColumns withLabelEncoding(LabelEncoding encoding) {
        return new RowColumns(features, label, encoding, encoding == LabelEncoding.VALUES ? 0 : classes);
    }

    private static void requireName(String what, String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException(what + " column name must not be blank, got "
                    + (name == null ? "null" : "'" + name + "'"));
        }
    }
}
