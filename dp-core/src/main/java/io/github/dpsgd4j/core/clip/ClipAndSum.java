package io.github.dpsgd4j.core.clip;

import io.github.dpsgd4j.common.Checks;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * Per-example clipping and summation over a materialised per-example gradient matrix
 * {@code G} ({@code B} rows of {@code P} parameters): {@code out = sum_i c_i G_i} with the clip
 * factors {@code c_i} of {@link ClipFactors} (Abadi et al. 2016, "Deep learning with differential
 * privacy", ACM CCS, Algorithm 1). Adding Gaussian noise to {@code out} is the caller's next step.
 *
 * <h2>Two paths</h2>
 * <ul>
 *   <li><b>CPU fast path</b> on heap arrays ({@code float[] g}, row-major, row {@code i} at
 *       {@code g[i * params .. (i + 1) * params)}): {@link #clipAndSum(float[], int, int, double, float[])},
 *       its per-group variant, and the stage primitives {@link #squaredRowNorms(float[], int, int, double[])}
 *       and {@link #weightedRowSum(float[], int, int, double[], float[])}. Memory-bound loops with
 *       independent accumulators, on the Vector API when the JVM runs with
 *       {@code --add-modules jdk.incubator.vector}, else plain Java (same results to float rounding;
 *       the row sums are bit-identical). Rows are processed in small groups: a group's norms are
 *       computed, then its rows are added while they are still in cache, so {@code G} is read from
 *       memory about once although it is traversed twice.</li>
 *   <li><b>Portable path</b> on INDArrays, {@link #clipAndSum(INDArray, double, INDArray)}: only
 *       INDArray operations, so it runs on the CUDA backend; used for arrays that live on a device.</li>
 * </ul>
 *
 * <h2>Accuracy and the sensitivity bound</h2>
 * Squared norms are computed as <em>upper bounds</em>: the fast path sums exact squares in double
 * (relative error below {@code (P + 64) 2^-53}) and inflates the result by twice that bound; the
 * portable path sums blocks of at most {@value #PORTABLE_BLOCK} squares in float inside ND4J (ND4J's
 * own float norms accumulate in float and were measured 3e-3 off at {@code P = 4e6}), adds the
 * blocks in double, and inflates by the rigorous bound of that scheme (at most 4e-6 relative). The
 * factor computed from an upper bound is never larger than the exact one, so rounding only ever
 * clips slightly more. The double factor is rounded toward zero to float; each product
 * {@code c_i * g_ij} is then rounded once, so one example's contribution, as computed, has L2 norm
 * at most {@code C (1 + 2^-24)}. The float sum over examples adds the usual rounding of a float
 * sum, of order {@code B * 2^-24} relative to {@code sum_i |c_i g_ij|}; this floating-point residue
 * is present in every DP-SGD implementation (see Mironov 2012 on floating-point and DP).
 * The fast and portable paths agree to float rounding plus the portable path's 4e-6 inflation.
 *
 * <h2>Non-finite rows</h2>
 * A row containing NaN or an infinity has a non-finite norm; under
 * {@link NonFiniteNormPolicy#SKIP} it is never multiplied (so NaN cannot reach {@code out}) and is
 * counted; under {@link NonFiniteNormPolicy#FAIL} an {@link IllegalArgumentException} names the
 * row. Float rows cannot overflow the double norm accumulation, so finite rows always have finite
 * norms.
 *
 * <p>Arrays: {@code g} is never modified; {@code out} is overwritten (its previous content is
 * ignored); if an exception is thrown after validation, {@code out}'s content is unspecified.
 * Stateless and thread-safe (calls must not share an {@code out} array).
 */
public final class ClipAndSum {

    /** Columns per float partial sum on the portable path. */
    static final int PORTABLE_BLOCK = 32;
    /**
     * Rows per group of the fused fast path: their norms, then their weighted sum while they are
     * still in cache. Four rows of {@code P} floats fit the last-level cache for {@code P} up to
     * about 2e6 on the reference machine; 2, 4 and 8 rows and byte budgets of 0.5 to 16 MiB were
     * tried at 256x1e5 to 256x1e6 (on a noisy shared VM) and 4 rows was never worse beyond noise.
     */
    static final int CACHE_GROUP_ROWS = RowKernels.MAX_FUSED_ROWS;

    private static final RowKernels KERNELS = RowKernels.best();

    private ClipAndSum() {
    }

    /** {@code "vector"} or {@code "scalar"}: which fast-path kernels this JVM uses. */
    public static String fastPathKind() {
        return KERNELS.kind();
    }

    // ------------------------------------------------------------------------------------------
    // CPU fast path
    // ------------------------------------------------------------------------------------------

    /**
     * Clips every row of {@code g} to L2 norm {@code l2NormClip} and writes the sum of the clipped
     * rows to {@code out[0 .. params)}, skipping rows with non-finite norms.
     *
     * @param g          {@code batch x params} floats, row-major, {@code g.length >= batch * params};
     *                   not modified
     * @param batch      number of rows {@code B >= 0}
     * @param params     number of columns {@code P >= 0}
     * @param l2NormClip the bound {@code C > 0}; {@code +infinity} means no clipping
     * @param out        receives the clipped sum, {@code out.length >= params}; only
     *                   {@code out[0 .. params)} is written
     * @return the counts of this call
     */
    public static ClipStats clipAndSum(float[] g, int batch, int params, double l2NormClip, float[] out) {
        return clipAndSum(g, batch, params, l2NormClip, NonFiniteNormPolicy.SKIP, out);
    }

    /**
     * {@link #clipAndSum(float[], int, int, double, float[])} with an explicit non-finite policy.
     *
     * @param policy not null
     */
    public static ClipStats clipAndSum(float[] g, int batch, int params, double l2NormClip,
                                       NonFiniteNormPolicy policy, float[] out) {
        ClipArguments.checkMatrix(g, batch, params);
        Checks.positive("l2NormClip", l2NormClip);
        Checks.notNull("policy", policy);
        ClipArguments.checkOut(out, params);
        return run(KERNELS, g, batch, params, new int[] {0}, new int[] {params}, new double[] {l2NormClip},
                policy, out);
    }

    /**
     * Per-group (per-layer) clipping: the columns are cut into consecutive groups, group {@code q}
     * covering {@code [groupOffsets[q], groupOffsets[q + 1])} (the last one ending at
     * {@code params}); each group of each row is clipped to its own bound, and the clipped rows are
     * summed into {@code out}. One example's whole contribution then has norm at most
     * {@link ClipFactors#l2Sensitivity(double[]) sqrt(sum of C_q^2)}. A row with a non-finite norm
     * in any group is skipped (or fails) as a whole.
     *
     * @param groupOffsets first column of each group: {@code groupOffsets[0] == 0}, strictly
     *                     increasing, all {@code < params}; not modified
     * @param groupClips   bound of each group, {@code > 0} ({@code +infinity} allowed), one per
     *                     group; not modified
     * @param policy       not null
     * @return the counts; {@code clippedCount} counts rows clipped in at least one group
     */
    public static ClipStats clipAndSum(float[] g, int batch, int params, int[] groupOffsets,
                                       double[] groupClips, NonFiniteNormPolicy policy, float[] out) {
        ClipArguments.checkMatrix(g, batch, params);
        int[][] ranges = ClipArguments.checkGroups(groupOffsets, groupClips, params);
        Checks.notNull("policy", policy);
        ClipArguments.checkOut(out, params);
        return run(KERNELS, g, batch, params, ranges[0], ranges[1], groupClips.clone(), policy, out);
    }

    /**
     * Upper bounds of the squared L2 norms of the rows: {@code out[i] >= sum_j g[i*params + j]^2},
     * exceeding it by less than {@code (params + 64) 2^-51} relative. Non-finite rows give NaN or
     * {@code +infinity}.
     *
     * @param out receives one value per row, {@code out.length >= batch}
     */
    public static void squaredRowNorms(float[] g, int batch, int params, double[] out) {
        ClipArguments.checkMatrix(g, batch, params);
        squaredRowNorms(g, batch, params, 0, params, out);
    }

    /**
     * Upper bounds of the squared L2 norms of the columns {@code [columnFrom, columnTo)} of each row
     * (one parameter group), with the accuracy of {@link #squaredRowNorms(float[], int, int, double[])}.
     *
     * @param columnFrom first column, {@code 0 <= columnFrom <= columnTo}
     * @param columnTo   end column (exclusive), {@code <= params}
     * @param out        receives one value per row, {@code out.length >= batch}
     */
    public static void squaredRowNorms(float[] g, int batch, int params, int columnFrom, int columnTo,
                                       double[] out) {
        ClipArguments.checkMatrix(g, batch, params);
        ClipArguments.checkColumns(columnFrom, columnTo, params);
        Checks.notNull("out", out);
        if (out.length < batch) {
            throw new IllegalArgumentException("out.length must be >= batch (" + batch + "), got " + out.length);
        }
        int length = columnTo - columnFrom;
        for (int i = 0; i < batch; i++) {
            int base = i * params;
            out[i] = upperBound(KERNELS.sumOfSquares(g, base + columnFrom, base + columnTo), length);
        }
    }

    /**
     * Overwrites {@code out[0 .. params)} with {@code sum_i weights[i] * g_i}: each weight is rounded
     * toward zero to float and the rows are added with fused multiply-adds, four at a time. Rows
     * whose weight is exactly 0 are not read at all, so a non-finite row with weight 0 contributes
     * nothing (this is how {@link ClipFactors}' skipped examples are excluded).
     *
     * @param weights one finite weight per row, {@code weights.length >= batch}; not modified
     * @param out     receives the sum, {@code out.length >= params}
     */
    public static void weightedRowSum(float[] g, int batch, int params, double[] weights, float[] out) {
        ClipArguments.checkMatrix(g, batch, params);
        ClipArguments.checkOut(out, params);
        Arrays.fill(out, 0, params, 0f);
        addWeightedRowSum(g, batch, params, 0, params, weights, out);
    }

    /**
     * Adds {@code sum_i weights[i] * g[i][columnFrom .. columnTo)} to
     * {@code out[columnFrom .. columnTo)} (accumulating, e.g. over micro-batches or per parameter
     * group), with the rounding and zero-weight rules of
     * {@link #weightedRowSum(float[], int, int, double[], float[])}.
     *
     * @param columnFrom first column, {@code 0 <= columnFrom <= columnTo}
     * @param columnTo   end column (exclusive), {@code <= params}
     * @param weights    one finite weight per row, {@code weights.length >= batch}; not modified
     * @param out        accumulates the sum, {@code out.length >= params}
     */
    public static void addWeightedRowSum(float[] g, int batch, int params, int columnFrom, int columnTo,
                                         double[] weights, float[] out) {
        ClipArguments.checkMatrix(g, batch, params);
        ClipArguments.checkColumns(columnFrom, columnTo, params);
        Checks.notNull("weights", weights);
        if (weights.length < batch) {
            throw new IllegalArgumentException("weights.length must be >= batch (" + batch + "), got "
                    + weights.length);
        }
        ClipArguments.checkOut(out, params);
        int[] offsets = new int[RowKernels.MAX_FUSED_ROWS];
        float[] w = new float[RowKernels.MAX_FUSED_ROWS];
        int pending = 0;
        for (int i = 0; i < batch; i++) {
            double weight = weights[i];
            if (!Double.isFinite(weight)) {
                throw new IllegalArgumentException("weights[" + i + "] must be finite, got " + weight);
            }
            float f = ClipFactors.toFloatFactor(weight);
            if (f == 0f) {
                continue;
            }
            offsets[pending] = i * params;
            w[pending++] = f;
            if (pending == RowKernels.MAX_FUSED_ROWS) {
                KERNELS.addRows(g, offsets, w, 0, pending, columnFrom, out, columnTo - columnFrom);
                pending = 0;
            }
        }
        if (pending > 0) {
            KERNELS.addRows(g, offsets, w, 0, pending, columnFrom, out, columnTo - columnFrom);
        }
    }

    /** The fused fast path, for any {@link RowKernels} (tests compare the implementations). */
    static ClipStats run(RowKernels kernels, float[] g, int batch, int params, int[] starts, int[] ends,
                         double[] clips, NonFiniteNormPolicy policy, float[] out) {
        Arrays.fill(out, 0, params, 0f);
        int groups = starts.length;
        int k = CACHE_GROUP_ROWS;
        int[] offsets = new int[k];
        float[][] weights = new float[groups][k];
        double[] squared = new double[groups];
        int nonFinite = 0;
        int clipped = 0;
        double maxSquared = 0;
        for (int r0 = 0; r0 < batch; r0 += k) {
            int r1 = Math.min(batch, r0 + k);
            int active = 0;
            for (int r = r0; r < r1; r++) {
                int base = r * params;
                double total = 0;
                for (int q = 0; q < groups; q++) {
                    double s = upperBound(kernels.sumOfSquares(g, base + starts[q], base + ends[q]),
                            ends[q] - starts[q]);
                    squared[q] = s;
                    total += s;
                }
                if (!Double.isFinite(total)) {
                    if (policy == NonFiniteNormPolicy.FAIL) {
                        throw new IllegalArgumentException("example " + r + " (row " + r + " of g) has a "
                                + "non-finite gradient norm and the policy is NonFiniteNormPolicy.FAIL");
                    }
                    nonFinite++;
                    continue;
                }
                maxSquared = Math.max(maxSquared, total);
                boolean anyClipped = false;
                for (int q = 0; q < groups; q++) {
                    double f = ClipFactors.uncheckedFactor(squared[q], clips[q]);
                    anyClipped |= f < 1;
                    weights[q][active] = ClipFactors.toFloatFactor(f);
                }
                if (anyClipped) {
                    clipped++;
                }
                offsets[active++] = base;
            }
            for (int q = 0; q < groups; q++) {
                int length = ends[q] - starts[q];
                for (int t = 0; t < active; t += RowKernels.MAX_FUSED_ROWS) {
                    int count = Math.min(RowKernels.MAX_FUSED_ROWS, active - t);
                    kernels.addRows(g, offsets, weights[q], t, count, starts[q], out, length);
                }
            }
        }
        return new ClipStats(batch, nonFinite, clipped, Math.sqrt(maxSquared));
    }

    /**
     * An upper bound of the exact sum of squares of {@code n} floats from the kernels' double
     * result, whose relative error is below {@code (n + 64) 2^-53}: inflated by twice that, rounded up.
     */
    static double upperBound(double sumOfSquares, int n) {
        if (!(sumOfSquares > 0) || sumOfSquares == Double.POSITIVE_INFINITY) {
            return sumOfSquares;
        }
        return Math.nextUp(sumOfSquares * (1 + (n + 64.0) * 0x1.0p-52));
    }

    // ------------------------------------------------------------------------------------------
    // Portable INDArray path (implemented in PortableClipAndSum)
    // ------------------------------------------------------------------------------------------

    /**
     * Portable clip-and-sum on INDArrays (CPU or CUDA backend), skipping non-finite rows.
     *
     * @param g          {@code [B, P]} matrix of per-example gradients, data type FLOAT or DOUBLE,
     *                   any ordering or strides (views allowed); not modified
     * @param l2NormClip the bound {@code C > 0}; {@code +infinity} means no clipping
     * @param out        receives the clipped sum: shape {@code [P]} or {@code [1, P]}, the data type
     *                   of {@code g}; views allowed
     * @return the counts of this call
     */
    public static ClipStats clipAndSum(INDArray g, double l2NormClip, INDArray out) {
        return clipAndSum(g, l2NormClip, NonFiniteNormPolicy.SKIP, out);
    }

    /**
     * {@link #clipAndSum(INDArray, double, INDArray)} with an explicit non-finite policy.
     *
     * @param policy not null
     */
    public static ClipStats clipAndSum(INDArray g, double l2NormClip, NonFiniteNormPolicy policy, INDArray out) {
        return PortableClipAndSum.clipAndSum(g, l2NormClip, policy, out);
    }

    /**
     * Upper bounds of the squared L2 norms of the rows of {@code g} (portable: INDArray operations
     * only). FLOAT rows are summed in float blocks of at most {@value #PORTABLE_BLOCK}
     * (2 {@value #PORTABLE_BLOCK} - 1 for the last) and the blocks in double; the result is inflated
     * by the rigorous error bound of that scheme (below 4e-6 relative). DOUBLE rows are summed in
     * double. Non-finite rows give NaN or {@code +infinity}.
     *
     * @param g {@code [B, P]}, FLOAT or DOUBLE, any strides; not modified
     * @return one value per row, length {@code B}
     */
    public static double[] squaredRowNorms(INDArray g) {
        return PortableClipAndSum.squaredRowNorms(g);
    }
}
