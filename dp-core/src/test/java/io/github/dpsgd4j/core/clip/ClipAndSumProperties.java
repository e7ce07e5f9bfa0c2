package io.github.dpsgd4j.core.clip;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Invariants of clipping: bounded contributions (per example and per group), bounded sensitivity
 * under add/remove and replace-one adjacency, non-finite rows contributing nothing, and the fast
 * path agreeing with the portable INDArray path and the plain-Java kernels.
 */
class ClipAndSumProperties {

    /** A random per-example gradient matrix whose rows have norms spread over 1e-3 .. 1e3. */
    record Case(int batch, int params, float[] g, double clip) {
        float[] row(int i) {
            float[] r = new float[params];
            System.arraycopy(g, i * params, r, 0, params);
            return r;
        }

        float[] without(int k) {
            float[] h = new float[(batch - 1) * params];
            System.arraycopy(g, 0, h, 0, k * params);
            System.arraycopy(g, (k + 1) * params, h, k * params, (batch - 1 - k) * params);
            return h;
        }
    }

    private static Case newCase(int batch, int params, long seed, double clip) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] g = new float[batch * params];
        for (int i = 0; i < batch; i++) {
            double scale = Math.pow(10, random.nextDouble(-3, 3)) / Math.sqrt(params);
            for (int j = 0; j < params; j++) {
                g[i * params + j] = (float) (random.nextGaussian() * scale);
            }
        }
        return new Case(batch, params, g, clip);
    }

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<Integer> batch = Arbitraries.oneOf(Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(4, 40));
        Arbitrary<Integer> params = Arbitraries.oneOf(Arbitraries.integers().between(1, 70),
                Arbitraries.integers().between(70, 3000));
        Arbitrary<Double> clip = Arbitraries.of(0.01, 0.1, 0.5, 1.0, 3.0, 50.0, Double.POSITIVE_INFINITY);
        return Combinators.combine(batch, params, Arbitraries.longs(), clip).as(ClipAndSumProperties::newCase);
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return Math.sqrt(s);
    }

    private static float[] clipSum(float[] g, int batch, int params, double clip) {
        float[] out = new float[params];
        ClipAndSum.clipAndSum(g, batch, params, clip, out);
        return out;
    }

    /** Bound on the float rounding of a sum of {@code batch} clipped rows: (B + 2) 2^-23 * || sum |c_i g_i| ||. */
    private static double sumRoundingBound(Case c) {
        double[] absSum = new double[c.params];
        for (int i = 0; i < c.batch; i++) {
            float[] r = c.row(i);
            double f = Math.min(1, c.clip / norm(r));
            for (int j = 0; j < c.params; j++) {
                absSum[j] += Math.abs(f * r[j]);
            }
        }
        double s = 0;
        for (double v : absSum) {
            s += v * v;
        }
        return (c.batch + 2) * 0x1.0p-23 * Math.sqrt(s) + 1e-30;
    }

    @Property(tries = 200, edgeCases = EdgeCasesMode.NONE)
    void everyClippedContributionHasNormAtMostClip(@ForAll("cases") Case c) {
        for (int i = 0; i < c.batch; i++) {
            float[] contribution = clipSum(c.row(i), 1, c.params, c.clip);
            assertTrue(norm(contribution) <= c.clip * (1 + 1e-6), "row " + i + " norm " + norm(contribution));
            if (norm(c.row(i)) <= c.clip) {
                assertArrayEquals(c.row(i), contribution);
            }
        }
    }

    @Property(tries = 200, edgeCases = EdgeCasesMode.NONE)
    void removingOneExampleChangesTheSumByAtMostClip(@ForAll("cases") Case c) {
        if (c.batch == 0 || c.clip == Double.POSITIVE_INFINITY) {
            return;
        }
        float[] all = clipSum(c.g, c.batch, c.params, c.clip);
        int k = (int) (Math.abs((long) c.g.length * 31 + c.batch) % c.batch);
        float[] rest = clipSum(c.without(k), c.batch - 1, c.params, c.clip);
        float[] difference = new float[c.params];
        for (int j = 0; j < c.params; j++) {
            difference[j] = all[j] - rest[j];
        }
        assertTrue(norm(difference) <= c.clip * (1 + 1e-6) + 2 * sumRoundingBound(c),
                "difference " + norm(difference) + " clip " + c.clip);
    }

    @Property(tries = 200, edgeCases = EdgeCasesMode.NONE)
    void replacingOneExampleChangesTheSumByAtMostTwiceClip(@ForAll("cases") Case c) {
        if (c.batch == 0 || c.clip == Double.POSITIVE_INFINITY) {
            return;
        }
        float[] replaced = c.g.clone();
        int k = c.batch / 2;
        for (int j = 0; j < c.params; j++) {
            replaced[k * c.params + j] = -1000f * (j % 3 - 1);
        }
        float[] a = clipSum(c.g, c.batch, c.params, c.clip);
        float[] b = clipSum(replaced, c.batch, c.params, c.clip);
        float[] difference = new float[c.params];
        for (int j = 0; j < c.params; j++) {
            difference[j] = a[j] - b[j];
        }
        assertTrue(norm(difference) <= 2 * c.clip * (1 + 1e-6) + 2 * sumRoundingBound(c) + c.clip * 1e-5,
                "difference " + norm(difference) + " clip " + c.clip);
    }

    @Property(tries = 200, edgeCases = EdgeCasesMode.NONE)
    void perGroupContributionsRespectEachGroupsClip(@ForAll("cases") Case c) {
        if (c.params < 3) {
            return;
        }
        int[] offsets = {0, c.params / 3, 2 * c.params / 3};
        if (offsets[1] == 0 || offsets[2] == offsets[1]) {
            return;
        }
        double[] clips = {c.clip, 0.5 * c.clip, 2 * c.clip};
        for (int i = 0; i < c.batch; i++) {
            float[] out = new float[c.params];
            ClipAndSum.clipAndSum(c.row(i), 1, c.params, offsets, clips, NonFiniteNormPolicy.SKIP, out);
            double total = 0;
            for (int q = 0; q < 3; q++) {
                int end = q < 2 ? offsets[q + 1] : c.params;
                float[] part = new float[end - offsets[q]];
                System.arraycopy(out, offsets[q], part, 0, part.length);
                assertTrue(norm(part) <= clips[q] * (1 + 1e-6), "group " + q);
                total += norm(part) * norm(part);
            }
            assertTrue(Math.sqrt(total) <= ClipFactors.l2Sensitivity(clips) * (1 + 1e-6));
        }
    }

    @Property(tries = 200, edgeCases = EdgeCasesMode.NONE)
    void nonFiniteRowsContributeNothingAndAreCounted(@ForAll("cases") Case c, @ForAll long seed) {
        if (c.batch == 0) {
            return;
        }
        SplittableRandom random = new SplittableRandom(seed);
        float[] poisoned = c.g.clone();
        boolean[] bad = new boolean[c.batch];
        int badCount = 0;
        for (int i = 0; i < c.batch; i++) {
            if (random.nextInt(4) == 0) {
                bad[i] = true;
                badCount++;
                float[] kinds = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
                poisoned[i * c.params + random.nextInt(c.params)] = kinds[random.nextInt(3)];
            }
        }
        float[] clean = new float[(c.batch - badCount) * c.params];
        int r = 0;
        for (int i = 0; i < c.batch; i++) {
            if (!bad[i]) {
                System.arraycopy(c.g, i * c.params, clean, r++ * c.params, c.params);
            }
        }
        float[] out = new float[c.params];
        ClipStats stats = ClipAndSum.clipAndSum(poisoned, c.batch, c.params, c.clip, out);
        assertEquals(badCount, stats.nonFiniteCount());
        assertArrayEquals(clipSum(clean, c.batch - badCount, c.params, c.clip), out);

        INDArray nd = Nd4j.create(poisoned, new long[] {c.batch, c.params}, 'c');
        INDArray ndOut = Nd4j.create(DataType.FLOAT, c.params);
        ClipStats ndStats = ClipAndSum.clipAndSum(nd, c.clip, ndOut);
        assertEquals(badCount, ndStats.nonFiniteCount());
        for (float v : ndOut.toFloatVector()) {
            assertTrue(Float.isFinite(v));
        }
    }

    /**
     * Fast path == portable path to float rounding: both sum the same clipped rows in float (each
     * with its own order, within (B + 2) 2^-24 of sum |c_i g_ij| apiece) and the portable factors
     * may be up to 4e-6 smaller (its squared-norm bound); inputs are also given as a
     * non-contiguous view and in Fortran order.
     */
    @Property(tries = 150, edgeCases = EdgeCasesMode.NONE)
    void fastPathEqualsPortablePath(@ForAll("cases") Case c) {
        float[] fast = new float[c.params];
        ClipStats fastStats = ClipAndSum.clipAndSum(c.g, c.batch, c.params, c.clip, fast);
        INDArray contiguous = Nd4j.create(c.g, new long[] {c.batch, c.params}, 'c');
        INDArray[] inputs = {contiguous};
        if (c.batch > 0) {
            // ND4J cannot take an empty interval view, so views and Fortran order need rows.
            INDArray padded = Nd4j.create(DataType.FLOAT, c.batch + 2, c.params + 5);
            INDArray view = padded.get(NDArrayIndex.interval(1, c.batch + 1), NDArrayIndex.interval(3, c.params + 3));
            view.assign(contiguous);
            inputs = new INDArray[] {contiguous, view, contiguous.dup('f')};
        }
        double[] tolerance = new double[c.params];
        for (int i = 0; i < c.batch; i++) {
            float[] r = c.row(i);
            double f = Math.min(1, c.clip / norm(r));
            for (int j = 0; j < c.params; j++) {
                tolerance[j] += Math.abs(f * r[j]);
            }
        }
        for (int j = 0; j < c.params; j++) {
            tolerance[j] = tolerance[j] * (5e-6 + (c.batch + 2) * 0x1.0p-23) + 1e-35;
        }
        for (INDArray g : inputs) {
            INDArray out = Nd4j.create(DataType.FLOAT, 1, c.params);
            ClipStats stats = ClipAndSum.clipAndSum(g, c.clip, out);
            float[] portable = out.toFloatVector();
            for (int j = 0; j < c.params; j++) {
                assertEquals(fast[j], portable[j], tolerance[j], "column " + j);
            }
            assertEquals(fastStats.size(), stats.size());
            assertEquals(fastStats.nonFiniteCount(), stats.nonFiniteCount());
            assertEquals(fastStats.maxNorm(), stats.maxNorm(), 1e-5 * fastStats.maxNorm());
        }
    }

    @Property(tries = 100, edgeCases = EdgeCasesMode.NONE)
    void scalarKernelsEqualBestKernelsToFloatRounding(@ForAll("cases") Case c) {
        float[] best = new float[c.params];
        float[] scalar = new float[c.params];
        int[] starts = {0};
        int[] ends = {c.params};
        double[] clips = {c.clip};
        ClipAndSum.run(RowKernels.best(), c.g, c.batch, c.params, starts, ends, clips, NonFiniteNormPolicy.SKIP, best);
        ClipAndSum.run(new ScalarRowKernels(), c.g, c.batch, c.params, starts, ends, clips, NonFiniteNormPolicy.SKIP,
                scalar);
        for (int j = 0; j < c.params; j++) {
            assertEquals(scalar[j], best[j], 1e-6 * Math.abs(scalar[j]) + 1e-30, "column " + j);
        }
    }
}
