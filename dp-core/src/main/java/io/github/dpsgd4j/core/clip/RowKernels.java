package io.github.dpsgd4j.core.clip;

import io.github.dpsgd4j.core.internal.VectorSupport;

import java.lang.invoke.MethodHandles;

/**
 * The two inner loops of clip-and-sum over float rows on the heap. Implementations are stateless
 * and thread-safe; they do not check arguments (the public entry points in {@link ClipAndSum} do).
 */
interface RowKernels {

    /** Most rows one {@link #addRows} call fuses. */
    int MAX_FUSED_ROWS = 4;

    /**
     * {@code sum of a[i]^2 for i in [from, to)}: every square is exact in double (a float has 24
     * significant bits) and the sum is accumulated in double over several independent partial
     * sums, so the relative error is below {@code (to - from + 64) * 2^-53}.
     */
    double sumOfSquares(float[] a, int from, int to);

    /**
     * For {@code j in [0, length)}:
     * {@code out[column + j] = fma(w[k-1], a[o[k-1] + column + j], ... fma(w[0], a[o[0] + column + j], out[column + j]))}
     * with {@code o = rowOffsets[first ..]}, {@code w = weights[first ..]}, {@code k = count} in
     * {@code 1..}{@value #MAX_FUSED_ROWS}: the rows are added one after the other in this order, each
     * with one fused multiply-add, so every implementation gives the same float result bit for bit.
     */
    void addRows(float[] a, int[] rowOffsets, float[] weights, int first, int count, int column,
                 float[] out, int length);

    /** Short name for diagnostics ({@code "vector"} or {@code "scalar"}). */
    String kind();

    /** The fastest implementation this JVM supports: the Vector API one if enabled, else plain Java. */
    static RowKernels best() {
        return VectorSupport.load(MethodHandles.lookup(), "io.github.dpsgd4j.core.clip.VectorRowKernels",
                RowKernels.class).orElseGet(ScalarRowKernels::new);
    }
}
