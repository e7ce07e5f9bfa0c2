package io.github.dpsgd4j.spark;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serial;
import java.io.Serializable;

/**
 * The model's flat parameters as a primitive array in the model's own precision (4 bytes per
 * parameter for FLOAT, 8 for DOUBLE): what a step broadcasts. Primitive arrays serialise fast with
 * Spark's default Java serializer and need no ND4J registration. Immutable after construction.
 */
final class ParameterVector implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final float[] floats;
    private final double[] doubles;

    private ParameterVector(float[] floats, double[] doubles) {
        this.floats = floats;
        this.doubles = doubles;
    }

    /** A copy of {@code params} ([1, P] or [P], FLOAT or DOUBLE). */
    static ParameterVector of(INDArray params) {
        INDArray flat = params.reshape(params.length());
        if (params.dataType() == DataType.DOUBLE) {
            return new ParameterVector(null, flat.toDoubleVector());
        }
        if (params.dataType() == DataType.FLOAT) {
            return new ParameterVector(flat.toFloatVector(), null);
        }
        throw new IllegalArgumentException("dp-spark trains FLOAT or DOUBLE models, got parameters of type "
                + params.dataType() + ": set the network's dataType(DataType.FLOAT) or DOUBLE");
    }

    /** Number of parameters P. */
    int length() {
        return floats != null ? floats.length : doubles.length;
    }

    /** Serialised payload in bytes (4 or 8 per parameter), for the cost model. */
    long bytes() {
        return floats != null ? 4L * floats.length : 8L * doubles.length;
    }

    /** Writes these parameters into {@code params} (the model's flat view, same length and type). */
    void copyInto(INDArray params) {
        if (params.length() != length()) {
            throw new IllegalStateException("executor model has " + params.length() + " parameters, the driver's "
                    + length());
        }
        INDArray source = floats != null ? Nd4j.createFromArray(floats) : Nd4j.createFromArray(doubles);
        try {
            params.assign(source.reshape(params.shape()));
        } finally {
            source.close(); // off-heap: released now, not when the garbage collector gets to it (every step)
        }
    }
}
