package io.github.dpsgd4j.core.clip;

import io.github.dpsgd4j.common.Checks;

import java.math.BigDecimal;

/**
 * Per-example clip factors for DP-SGD (Abadi et al. 2016, "Deep learning with differential
 * privacy", ACM CCS, Algorithm 1: {@code g_i / max(1, ||g_i|| / C)}), optionally per parameter
 * group (per-layer clipping, ibid. section 3.1), computed from squared L2 norms.
 *
 * <p><b>Rule.</b> For an example with squared norm {@code s} (exact value {@code ||g|| = sqrt(s)})
 * and bound {@code C}:
 * <ul>
 *   <li>{@code factor = 1} exactly when {@code ||g|| <= C}, decided exactly as
 *       {@code C * C - s >= 0} (so an unclipped example keeps its gradient bit for bit,
 *       {@code ||g|| = 0} included);</li>
 *   <li>otherwise {@code factor = C / n} with directed rounding: {@code n} is {@code sqrt(s)}
 *       rounded up (so {@code n >= ||g||} exactly) and the quotient is rounded down (so
 *       {@code factor * n <= C} exactly), both decided by exact sign tests of a product minus a
 *       value (one {@code fma} in the normal range, exact decimals at extreme magnitudes). Hence
 *       {@code factor * ||g|| <= C} holds in exact arithmetic for the given {@code s}, not just
 *       after rounding, and the factor is within two ulps of {@code C / ||g||}.</li>
 * </ul>
 * There is no additive "tiny" constant: Opacus' {@code C / (||g|| + 1e-6)} and the common
 * {@code C / (||g|| + 1e-12)} only avoid a division by zero, which the comparison above already
 * excludes; directed rounding instead of a constant gives the guarantee {@code factor * ||g|| <= C}
 * at every scale. {@code C = +infinity} means "no clipping": every finite example gets factor 1.
 *
 * <p><b>Non-finite norms.</b> An example whose squared norm is NaN or infinite (in any group) is
 * handled by the {@link NonFiniteNormPolicy}: under {@code SKIP} all its factors are 0 and it is
 * counted in {@link #nonFiniteCount()}; under {@code FAIL} the factory throws.
 *
 * <p><b>Per-group clipping.</b> With groups {@code 1..G} bounded by {@code C_1..C_G}, each group of
 * each example is clipped separately, so the example's whole contribution has L2 norm at most
 * {@code sqrt(C_1^2 + ... + C_G^2)} ({@link #l2Sensitivity()}), which is the sensitivity the
 * accountant must use.
 *
 * <p>Immutable and thread-safe. Accessors return copies.
 */
public final class ClipFactors {

    private final double[][] factors;
    private final double[] l2NormClips;
    private final boolean[] skipped;
    private final int nonFiniteCount;
    private final int clippedCount;
    private final int[] clippedPerGroup;
    private final double maxNorm;

    private ClipFactors(double[][] factors, double[] l2NormClips, boolean[] skipped, int nonFiniteCount,
                        int clippedCount, int[] clippedPerGroup, double maxNorm) {
        this.factors = factors;
        this.l2NormClips = l2NormClips;
        this.skipped = skipped;
        this.nonFiniteCount = nonFiniteCount;
        this.clippedCount = clippedCount;
        this.clippedPerGroup = clippedPerGroup;
        this.maxNorm = maxNorm;
    }

    /**
     * Clip factors for one group.
     *
     * @param squaredNorms squared L2 norm of each example's gradient; each {@code >= 0}, or NaN or
     *                     {@code +infinity} (handled by {@code policy}). Not modified.
     * @param l2NormClip   the bound {@code C > 0}; {@code +infinity} means no clipping; NaN, 0 and
     *                     negative values are rejected
     * @param policy       what to do with non-finite norms, not null
     * @return the factors, one per example
     * @throws IllegalArgumentException for a null or invalid argument, a negative squared norm, or a
     *                                  non-finite norm under {@link NonFiniteNormPolicy#FAIL}
     */
    public static ClipFactors fromSquaredNorms(double[] squaredNorms, double l2NormClip,
                                               NonFiniteNormPolicy policy) {
        Checks.notNull("squaredNorms", squaredNorms);
        return fromSquaredNorms(new double[][] {squaredNorms}, new double[] {l2NormClip}, policy,
                "squaredNorms", "l2NormClip");
    }

    /**
     * Clip factors per parameter group (per-layer clipping).
     *
     * @param squaredNormsPerGroup {@code [group][example]} squared L2 norms, every row of the same
     *                             length; at least one group. Not modified.
     * @param groupClips           the bound {@code C_g > 0} of each group ({@code +infinity}
     *                             allowed), one per group. Not modified.
     * @param policy               what to do with non-finite norms, not null
     * @return the factors, one per group and example
     * @throws IllegalArgumentException for null or invalid arguments, ragged rows, negative squared
     *                                  norms, or a non-finite norm under {@link NonFiniteNormPolicy#FAIL}
     */
    public static ClipFactors fromSquaredNorms(double[][] squaredNormsPerGroup, double[] groupClips,
                                               NonFiniteNormPolicy policy) {
        return fromSquaredNorms(squaredNormsPerGroup, groupClips, policy, "squaredNormsPerGroup",
                "groupClips");
    }

    private static ClipFactors fromSquaredNorms(double[][] squaredNorms, double[] clips,
                                                NonFiniteNormPolicy policy, String normsName,
                                                String clipsName) {
        Checks.notNull(normsName, squaredNorms);
        Checks.notNull(clipsName, clips);
        Checks.notNull("policy", policy);
        int groups = squaredNorms.length;
        Checks.positive(normsName + ".length (number of groups)", groups);
        Checks.equalTo(clipsName + ".length", clips.length, normsName + ".length", groups);
        boolean single = groups == 1 && clipsName.equals("l2NormClip");
        for (int g = 0; g < groups; g++) {
            Checks.positive(single ? clipsName : clipsName + "[" + g + "]", clips[g]);
            Checks.notNull(normsName + "[" + g + "]", squaredNorms[g]);
        }
        int size = squaredNorms[0].length;
        for (int g = 1; g < groups; g++) {
            Checks.equalTo(normsName + "[" + g + "].length", squaredNorms[g].length, normsName + "[0].length",
                    size);
        }
        double[][] factors = new double[groups][size];
        boolean[] skipped = new boolean[size];
        int[] clippedPerGroup = new int[groups];
        int nonFinite = 0;
        int clipped = 0;
        double maxNorm = 0;
        for (int i = 0; i < size; i++) {
            boolean finite = true;
            double total = 0;
            for (int g = 0; g < groups; g++) {
                double s = squaredNorms[g][i];
                if (s < 0 && s != Double.NEGATIVE_INFINITY) {
                    String name = single ? normsName + "[" + i + "]" : normsName + "[" + g + "][" + i + "]";
                    throw new IllegalArgumentException(name + " must be >= 0, NaN or infinite, got " + s);
                }
                if (!Double.isFinite(s)) {
                    finite = false;
                    if (policy == NonFiniteNormPolicy.FAIL) {
                        throw new IllegalArgumentException("example " + i + " has a non-finite gradient norm"
                                + (single ? "" : " in group " + g) + " (squared norm " + s
                                + ") and the policy is NonFiniteNormPolicy.FAIL");
                    }
                }
                total += s;
            }
            if (!finite) {
                skipped[i] = true;
                nonFinite++;
                continue;
            }
            boolean anyClipped = false;
            for (int g = 0; g < groups; g++) {
                double f = factor(squaredNorms[g][i], clips[g]);
                factors[g][i] = f;
                if (f < 1) {
                    clippedPerGroup[g]++;
                    anyClipped = true;
                }
            }
            if (anyClipped) {
                clipped++;
            }
            maxNorm = Math.max(maxNorm, Math.min(Math.sqrt(total), Double.MAX_VALUE));
        }
        return new ClipFactors(factors, clips.clone(), skipped, nonFinite, clipped, clippedPerGroup, maxNorm);
    }

    /**
     * The clip factor of one finite squared norm (the rule in the class comment).
     *
     * @param squaredNorm finite and {@code >= 0}
     * @param l2NormClip  {@code > 0}, {@code +infinity} allowed
     * @return {@code 1} if {@code sqrt(squaredNorm) <= l2NormClip}, else a value in {@code [0, 1)}
     *         with {@code factor * sqrt(squaredNorm) <= l2NormClip} exactly
     * @throws IllegalArgumentException if an argument is outside its range
     */
    public static double factor(double squaredNorm, double l2NormClip) {
        Checks.finiteNonNegative("squaredNorm", squaredNorm);
        Checks.positive("l2NormClip", l2NormClip);
        return uncheckedFactor(squaredNorm, l2NormClip);
    }

    /** {@link #factor(double, double)} without argument checks, for the kernels' inner loops. */
    static double uncheckedFactor(double squaredNorm, double l2NormClip) {
        if (squaredNorm == 0 || l2NormClip == Double.POSITIVE_INFINITY
                || compareProduct(l2NormClip, l2NormClip, squaredNorm) >= 0) {
            return 1.0;
        }
        double norm = Math.sqrt(squaredNorm);
        if (compareProduct(norm, norm, squaredNorm) < 0) {
            norm = Math.nextUp(norm); // now norm >= sqrt(squaredNorm) exactly
        }
        double f = l2NormClip / norm;
        if (f > 0 && compareProduct(f, norm, l2NormClip) > 0) {
            f = Math.nextDown(f); // now f * norm <= l2NormClip exactly
        }
        return f;
    }

    private static final double SMALL = 0x1.0p-400;
    private static final double LARGE = 0x1.0p400;

    /**
     * The exact sign of {@code a * b - c} for finite non-negative arguments. Within
     * {@code a, b in [2^-400, 2^400]} and {@code c in [2^-800, 2^800]} every non-zero value of
     * {@code a * b - c} is a multiple of at least {@code 2^-904}, so one {@code fma} (a single
     * rounding, which preserves the sign of a representable non-zero value) decides it; elsewhere
     * (never for realistic norms and bounds) exact decimal arithmetic does.
     */
    static int compareProduct(double a, double b, double c) {
        if (a >= SMALL && a <= LARGE && b >= SMALL && b <= LARGE
                && c >= SMALL * SMALL && c <= LARGE * LARGE) {
            double r = Math.fma(a, b, -c);
            return r > 0 ? 1 : (r < 0 ? -1 : 0);
        }
        return new BigDecimal(a).multiply(new BigDecimal(b)).compareTo(new BigDecimal(c));
    }

    /**
     * The one rounding of a clip factor (or any weight) to float: toward zero, so that
     * {@code |float factor| <= |factor|} and a rounded factor never lets a clipped contribution grow.
     * Every float path (the kernels here and the training engines) multiplies by this value.
     *
     * @param factor any finite value (NaN stays NaN)
     * @return the float nearest to {@code factor} whose magnitude is not larger
     */
    public static float toFloatFactor(double factor) {
        float f = (float) factor;
        if (Math.abs(f) > Math.abs(factor)) {
            f = f > 0 ? Math.nextDown(f) : Math.nextUp(f);
        }
        return f;
    }

    /**
     * {@code factor} as an array of {@code dataType} holds it: unchanged for DOUBLE, otherwise
     * {@link #toFloatFactor(double) rounded toward zero} to float (HALF and BFLOAT16 arrays are
     * given a float factor too; their own rounding of products is the caller's concern).
     *
     * @param factor   a clip factor in {@code [0, 1]}
     * @param dataType the data type of the gradient the factor multiplies, not null
     */
    public static double roundedFactor(double factor, org.nd4j.linalg.api.buffer.DataType dataType) {
        Checks.notNull("dataType", dataType);
        return dataType == org.nd4j.linalg.api.buffer.DataType.DOUBLE ? factor : toFloatFactor(factor);
    }

    /** Number of examples. */
    public int size() {
        return skipped.length;
    }

    /** Number of parameter groups (1 for {@link #fromSquaredNorms(double[], double, NonFiniteNormPolicy)}). */
    public int groupCount() {
        return factors.length;
    }

    /**
     * The factors of a single-group result, one per example (a copy).
     *
     * @throws IllegalStateException if {@link #groupCount()} is not 1 (use {@link #factors(int)})
     */
    public double[] factors() {
        if (factors.length != 1) {
            throw new IllegalStateException("factors() needs a single group, this result has "
                    + factors.length + " groups: use factors(group)");
        }
        return factors[0].clone();
    }

    /**
     * The factors of one group, one per example (a copy).
     *
     * @param group in {@code [0, groupCount())}
     */
    public double[] factors(int group) {
        checkGroup(group);
        return factors[group].clone();
    }

    /** The factor of one example in one group. */
    public double factor(int group, int example) {
        checkGroup(group);
        if (example < 0 || example >= skipped.length) {
            throw new IllegalArgumentException("example must be in [0, " + skipped.length + "), got " + example);
        }
        return factors[group][example];
    }

    /** The clipping bound of one group. */
    public double l2NormClip(int group) {
        checkGroup(group);
        return l2NormClips[group];
    }

    /**
     * The L2 sensitivity of the clipped sum under add/remove adjacency: the largest norm one
     * example's whole contribution can have, {@code sqrt(sum of C_g^2)} rounded up (the bound itself
     * for a single group; {@code +infinity} if any group is unclipped).
     */
    public double l2Sensitivity() {
        return l2Sensitivity(l2NormClips);
    }

    /**
     * {@code sqrt(sum of clips[g]^2)}, rounded up, for clips {@code > 0} ({@code +infinity}
     * allowed); the bound itself for a single group.
     *
     * @param clips the per-group bounds, not null, not empty; not modified
     */
    public static double l2Sensitivity(double[] clips) {
        Checks.notNull("clips", clips);
        Checks.positive("clips.length", clips.length);
        if (clips.length == 1) {
            return Checks.positive("clips[0]", clips[0]);
        }
        double sum = 0;
        for (int g = 0; g < clips.length; g++) {
            double c = Checks.positive("clips[" + g + "]", clips[g]);
            sum = Math.nextUp(sum + c * c);
        }
        return Math.nextUp(Math.sqrt(sum));
    }

    /** Number of examples skipped for a non-finite norm. */
    public int nonFiniteCount() {
        return nonFiniteCount;
    }

    /** Number of finite examples scaled down in at least one group. */
    public int clippedCount() {
        return clippedCount;
    }

    /** Number of finite examples scaled down in {@code group}. */
    public int clippedCount(int group) {
        checkGroup(group);
        return clippedPerGroup[group];
    }

    /** Whether {@code example} was skipped for a non-finite norm (all its factors are 0). */
    public boolean isSkipped(int example) {
        if (example < 0 || example >= skipped.length) {
            throw new IllegalArgumentException("example must be in [0, " + skipped.length + "), got " + example);
        }
        return skipped[example];
    }

    /** The largest finite example norm before clipping, over all groups together; 0 if none. */
    public double maxNorm() {
        return maxNorm;
    }

    /** These counts as a {@link ClipStats}. */
    public ClipStats stats() {
        return new ClipStats(size(), nonFiniteCount, clippedCount, maxNorm);
    }

    private void checkGroup(int group) {
        if (group < 0 || group >= factors.length) {
            throw new IllegalArgumentException("group must be in [0, " + factors.length + "), got " + group);
        }
    }

    @Override
    public String toString() {
        return "ClipFactors[size=" + size() + ", groups=" + groupCount() + ", clipped=" + clippedCount
                + ", nonFinite=" + nonFiniteCount + "]";
    }
}
