package io.github.dpsgd4j.spark;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.UserDefinedType;

/**
 * Spark ML vectors ({@code org.apache.spark.ml.linalg.Vector}) in a row, kept apart so that Spark ML's
 * classes are loaded only when a column holds vectors: a user of array columns needs Spark SQL alone.
 */
final class MlVectors {

    /** The class a Spark ML vector column's values are. */
    static final String VECTOR_CLASS = "org.apache.spark.ml.linalg.Vector";
    /** The RDD-based API's vector, which the DataFrame-based API replaced. */
    private static final String OLD_VECTOR_CLASS = "org.apache.spark.mllib.linalg.Vector";

    private MlVectors() {
    }

    /** Whether a column of this type holds Spark ML vectors. */
    static boolean isVector(DataType type) {
        return type instanceof UserDefinedType<?> u && u.userClass().getName().equals(VECTOR_CLASS);
    }

    /** Whether a column of this type holds the RDD-based API's vectors (to say how to convert them). */
    static boolean isOldVector(DataType type) {
        return type instanceof UserDefinedType<?> u && u.userClass().getName().equals(OLD_VECTOR_CLASS);
    }

    /** The number of values of a vector, dense or sparse. */
    static int size(Object vector) {
        return ((org.apache.spark.ml.linalg.Vector) vector).size();
    }

    /**
     * Writes a vector's values, zeros included for a sparse one, to {@code into[offset, offset + size)}.
     * The vector is not modified.
     */
    static void copy(Object vector, double[] into, int offset) {
        if (vector instanceof org.apache.spark.ml.linalg.SparseVector sparse) {
            int[] indices = sparse.indices();
            double[] values = sparse.values();
            java.util.Arrays.fill(into, offset, offset + sparse.size(), 0);
            for (int k = 0; k < indices.length; k++) {
                into[offset + indices[k]] = values[k];
            }
        } else {
            double[] values = ((org.apache.spark.ml.linalg.DenseVector) vector).values();
            System.arraycopy(values, 0, into, offset, values.length);
        }
    }
}
