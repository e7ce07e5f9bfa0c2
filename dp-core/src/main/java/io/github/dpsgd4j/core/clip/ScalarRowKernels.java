package io.github.dpsgd4j.core.clip;

/**
 * Plain-Java {@link RowKernels}: eight independent double accumulators for the norms (a single
 * accumulator would be latency-bound, since the JIT may not reorder floating-point sums; the
 * square of a float is exact in double, so a multiply and an add round exactly like a fused
 * multiply-add), and fused multiply-adds for the row sums, which the JIT can vectorise.
 */
final class ScalarRowKernels implements RowKernels {

    @Override
    public double sumOfSquares(float[] a, int from, int to) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        double s4 = 0;
        double s5 = 0;
        double s6 = 0;
        double s7 = 0;
        int i = from;
        for (; i + 8 <= to; i += 8) {
            double x0 = a[i];
            double x1 = a[i + 1];
            double x2 = a[i + 2];
            double x3 = a[i + 3];
            double x4 = a[i + 4];
            double x5 = a[i + 5];
            double x6 = a[i + 6];
            double x7 = a[i + 7];
            s0 += x0 * x0;
            s1 += x1 * x1;
            s2 += x2 * x2;
            s3 += x3 * x3;
            s4 += x4 * x4;
            s5 += x5 * x5;
            s6 += x6 * x6;
            s7 += x7 * x7;
        }
        double s = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
        for (; i < to; i++) {
            double x = a[i];
            s += x * x;
        }
        return s;
    }

    @Override
    public void addRows(float[] a, int[] rowOffsets, float[] weights, int first, int count, int column,
                        float[] out, int length) {
        int o0 = rowOffsets[first] + column;
        float w0 = weights[first];
        switch (count) {
            case 1 -> {
                for (int j = 0; j < length; j++) {
                    out[column + j] = Math.fma(w0, a[o0 + j], out[column + j]);
                }
            }
            case 2 -> {
                int o1 = rowOffsets[first + 1] + column;
                float w1 = weights[first + 1];
                for (int j = 0; j < length; j++) {
                    float acc = Math.fma(w0, a[o0 + j], out[column + j]);
                    out[column + j] = Math.fma(w1, a[o1 + j], acc);
                }
            }
            case 3 -> {
                int o1 = rowOffsets[first + 1] + column;
                int o2 = rowOffsets[first + 2] + column;
                float w1 = weights[first + 1];
                float w2 = weights[first + 2];
                for (int j = 0; j < length; j++) {
                    float acc = Math.fma(w0, a[o0 + j], out[column + j]);
                    acc = Math.fma(w1, a[o1 + j], acc);
                    out[column + j] = Math.fma(w2, a[o2 + j], acc);
                }
            }
            case 4 -> {
                int o1 = rowOffsets[first + 1] + column;
                int o2 = rowOffsets[first + 2] + column;
                int o3 = rowOffsets[first + 3] + column;
                float w1 = weights[first + 1];
                float w2 = weights[first + 2];
                float w3 = weights[first + 3];
                for (int j = 0; j < length; j++) {
                    float acc = Math.fma(w0, a[o0 + j], out[column + j]);
                    acc = Math.fma(w1, a[o1 + j], acc);
                    acc = Math.fma(w2, a[o2 + j], acc);
                    out[column + j] = Math.fma(w3, a[o3 + j], acc);
                }
            }
            default -> throw new IllegalArgumentException("count must be in [1, " + MAX_FUSED_ROWS + "], got " + count);
        }
    }

    @Override
    public String kind() {
        return "scalar";
    }
}
