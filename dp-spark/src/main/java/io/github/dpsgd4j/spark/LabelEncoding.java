package io.github.dpsgd4j.spark;

/**
 * What the label column of a Spark {@code Dataset<Row>} holds (see {@link RowColumns}).
 */
public enum LabelEncoding {

    /**
     * Decided by the column's type: a number (integer, or floating point as Spark ML writes labels) is a
     * class index, an array or a Spark ML {@code Vector} holds the output values.
     */
    BY_TYPE,

    /**
     * A class index in {@code [0, classes)}: an integer, or a floating-point number that is a whole number
     * (Spark ML's labels are doubles). It becomes a one-hot row of {@code classes} values.
     */
    CLASS_INDEX,

    /**
     * The model's target values as they are: an array or a Spark ML {@code Vector} of the model's output
     * size (regression, multi-label), or a single number for a model with one output.
     */
    VALUES
}
