package io.github.dpsgd4j.core.clip;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link RowKernels} on the incubating Vector API. Norms: float lanes widened to double and
 * accumulated with four independent double-vector accumulators (exact squares, double sums).
 * Row sums: full-width float vectors, the same fused multiply-adds in the same order as
 * {@link ScalarRowKernels}, so both give identical floats. Loaded only through
 * {@link io.github.dpsgd4j.core.internal.VectorSupport}; declines (throws
 * {@link UnsupportedOperationException}) below 256-bit vectors.
 */
final class VectorRowKernels implements RowKernels {

    // Static finals, so that the JIT sees constant species: with species in instance fields the
    // Vector API is not intrinsified and runs tens of times slower.
    private static final int BITS = FloatVector.SPECIES_PREFERRED.vectorBitSize();
    private static final VectorSpecies<Float> FLOATS = BITS >= 512 ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;
    private static final VectorSpecies<Float> HALF_FLOATS =
            BITS >= 512 ? FloatVector.SPECIES_256 : FloatVector.SPECIES_128;
    private static final VectorSpecies<Double> DOUBLES = BITS >= 512 ? DoubleVector.SPECIES_512 : DoubleVector.SPECIES_256;

    VectorRowKernels() {
        if (BITS < 256) {
            throw new UnsupportedOperationException("preferred vector width " + BITS + " bits");
        }
    }

    @Override
    public double sumOfSquares(float[] a, int from, int to) {
        int lanes = HALF_FLOATS.length();
        DoubleVector s0 = DoubleVector.zero(DOUBLES);
        DoubleVector s1 = DoubleVector.zero(DOUBLES);
        DoubleVector s2 = DoubleVector.zero(DOUBLES);
        DoubleVector s3 = DoubleVector.zero(DOUBLES);
        int i = from;
        for (; i + 4 * lanes <= to; i += 4 * lanes) {
            DoubleVector d0 = widen(a, i);
            DoubleVector d1 = widen(a, i + lanes);
            DoubleVector d2 = widen(a, i + 2 * lanes);
            DoubleVector d3 = widen(a, i + 3 * lanes);
            s0 = d0.fma(d0, s0);
            s1 = d1.fma(d1, s1);
            s2 = d2.fma(d2, s2);
            s3 = d3.fma(d3, s3);
        }
        double s = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
        for (; i < to; i++) {
            double x = a[i];
            s = Math.fma(x, x, s);
        }
        return s;
    }

    private DoubleVector widen(float[] a, int i) {
        return (DoubleVector) FloatVector.fromArray(HALF_FLOATS, a, i).convertShape(VectorOperators.F2D, DOUBLES, 0);
    }

    @Override
    public void addRows(float[] a, int[] rowOffsets, float[] weights, int first, int count, int column,
                        float[] out, int length) {
        int lanes = FLOATS.length();
        int bound = length - length % lanes;
        int o0 = rowOffsets[first] + column;
        FloatVector w0 = FloatVector.broadcast(FLOATS, weights[first]);
        float s0 = weights[first];
        int j = 0;
        switch (count) {
            case 1 -> {
                for (; j < bound; j += lanes) {
                    FloatVector acc = FloatVector.fromArray(FLOATS, out, column + j);
                    FloatVector.fromArray(FLOATS, a, o0 + j).fma(w0, acc).intoArray(out, column + j);
                }
                for (; j < length; j++) {
                    out[column + j] = Math.fma(s0, a[o0 + j], out[column + j]);
                }
            }
            case 2 -> {
                int o1 = rowOffsets[first + 1] + column;
                FloatVector w1 = FloatVector.broadcast(FLOATS, weights[first + 1]);
                float s1 = weights[first + 1];
                for (; j < bound; j += lanes) {
                    FloatVector acc = FloatVector.fromArray(FLOATS, out, column + j);
                    acc = FloatVector.fromArray(FLOATS, a, o0 + j).fma(w0, acc);
                    FloatVector.fromArray(FLOATS, a, o1 + j).fma(w1, acc).intoArray(out, column + j);
                }
                for (; j < length; j++) {
                    float acc = Math.fma(s0, a[o0 + j], out[column + j]);
                    out[column + j] = Math.fma(s1, a[o1 + j], acc);
                }
            }
            case 3 -> {
                int o1 = rowOffsets[first + 1] + column;
                int o2 = rowOffsets[first + 2] + column;
                FloatVector w1 = FloatVector.broadcast(FLOATS, weights[first + 1]);
                float s1 = weights[first + 1];
                FloatVector w2 = FloatVector.broadcast(FLOATS, weights[first + 2]);
                float s2 = weights[first + 2];
                for (; j < bound; j += lanes) {
                    FloatVector acc = FloatVector.fromArray(FLOATS, out, column + j);
                    acc = FloatVector.fromArray(FLOATS, a, o0 + j).fma(w0, acc);
                    acc = FloatVector.fromArray(FLOATS, a, o1 + j).fma(w1, acc);
                    FloatVector.fromArray(FLOATS, a, o2 + j).fma(w2, acc).intoArray(out, column + j);
                }
                for (; j < length; j++) {
                    float acc = Math.fma(s0, a[o0 + j], out[column + j]);
                    acc = Math.fma(s1, a[o1 + j], acc);
                    out[column + j] = Math.fma(s2, a[o2 + j], acc);
                }
            }
            case 4 -> {
                int o1 = rowOffsets[first + 1] + column;
                int o2 = rowOffsets[first + 2] + column;
                int o3 = rowOffsets[first + 3] + column;
                FloatVector w1 = FloatVector.broadcast(FLOATS, weights[first + 1]);
                float s1 = weights[first + 1];
                FloatVector w2 = FloatVector.broadcast(FLOATS, weights[first + 2]);
                float s2 = weights[first + 2];
                FloatVector w3 = FloatVector.broadcast(FLOATS, weights[first + 3]);
                float s3 = weights[first + 3];
                for (; j < bound; j += lanes) {
                    FloatVector acc = FloatVector.fromArray(FLOATS, out, column + j);
                    acc = FloatVector.fromArray(FLOATS, a, o0 + j).fma(w0, acc);
                    acc = FloatVector.fromArray(FLOATS, a, o1 + j).fma(w1, acc);
                    acc = FloatVector.fromArray(FLOATS, a, o2 + j).fma(w2, acc);
                    FloatVector.fromArray(FLOATS, a, o3 + j).fma(w3, acc).intoArray(out, column + j);
                }
                for (; j < length; j++) {
                    float acc = Math.fma(s0, a[o0 + j], out[column + j]);
                    acc = Math.fma(s1, a[o1 + j], acc);
                    acc = Math.fma(s2, a[o2 + j], acc);
                    out[column + j] = Math.fma(s3, a[o3 + j], acc);
                }
            }
            default -> throw new IllegalArgumentException("count must be in [1, " + MAX_FUSED_ROWS + "], got " + count);
        }
    }

    @Override
    public String kind() {
        return "vector";
    }
}
