package io.github.dpsgd4j.core.clip;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClipAndSumTest {

    private static final float NAN = Float.NaN;

    @Test
    void clipAndSum_clipsLargeRowsKeepsSmallRowsAndSkipsNonFiniteRows() {
        float[] g = {3, 4, 0.3f, 0.4f, NAN, 1, Float.POSITIVE_INFINITY, 0};
        float[] out = {9, 9, 9};
        ClipStats stats = ClipAndSum.clipAndSum(g, 4, 2, 1.0, out);
        assertArrayEquals(new float[] {0.3f * 2 + 0.3f, 0.8f + 0.4f, 9}, out, 1e-6f);
        assertEquals(new ClipStats(4, 2, 1, stats.maxNorm()), stats);
        assertEquals(5.0, stats.maxNorm(), 1e-12);
        assertTrue(stats.maxNorm() >= 5.0);
    }

    @Test
    void clipAndSum_infiniteClipIsThePlainSum() {
        float[] g = {1e20f, -3, 2, 5};
        float[] out = new float[2];
        ClipStats stats = ClipAndSum.clipAndSum(g, 2, 2, Double.POSITIVE_INFINITY, out);
        assertArrayEquals(new float[] {1e20f + 2, 2}, out);
        assertEquals(0, stats.clippedCount());
    }

    @Test
    void clipAndSum_emptyBatchOrNoParamsWritesZeros() {
        float[] out = {5, 5, 5};
        assertEquals(new ClipStats(0, 0, 0, 0), ClipAndSum.clipAndSum(new float[0], 0, 3, 1.0, out));
        assertArrayEquals(new float[3], out);
        assertEquals(new ClipStats(4, 0, 0, 0), ClipAndSum.clipAndSum(new float[0], 4, 0, 1.0, new float[0]));
        INDArray o = Nd4j.ones(DataType.FLOAT, 3);
        assertEquals(new ClipStats(0, 0, 0, 0), ClipAndSum.clipAndSum(Nd4j.create(DataType.FLOAT, 0, 3), 1.0, o));
        assertEquals(Nd4j.zeros(DataType.FLOAT, 3), o);
    }

    @Test
    void clipAndSum_failPolicyNamesTheRow() {
        float[] g = {1, 1, 1, NAN, 1, 1};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClipAndSum.clipAndSum(g, 3, 2, 1.0, NonFiniteNormPolicy.FAIL, new float[2]));
        assertTrue(e.getMessage().startsWith("example 1 (row 1 of g) has a non-finite gradient norm"), e.getMessage());
        INDArray nd = Nd4j.create(g, new long[] {3, 2}, 'c');
        e = assertThrows(IllegalArgumentException.class,
                () -> ClipAndSum.clipAndSum(nd, 1.0, NonFiniteNormPolicy.FAIL, Nd4j.create(DataType.FLOAT, 2)));
        assertTrue(e.getMessage().startsWith("example 1 has a non-finite gradient norm"), e.getMessage());
    }

    @Test
    void perGroup_clipsEachGroupToItsBound() {
        // Row 0: group [0,2) norm 5 (clip 1 -> factor 0.2), group [2,3) norm 2 (clip 4 -> kept).
        float[] g = {3, 4, 2, 0, 0.5f, -30};
        float[] out = new float[3];
        ClipStats stats = ClipAndSum.clipAndSum(g, 2, 3, new int[] {0, 2}, new double[] {1, 4},
                NonFiniteNormPolicy.SKIP, out);
        assertArrayEquals(new float[] {0.6f, 0.8f + 0.5f, 2 - 4}, out, 1e-6f);
        assertEquals(2, stats.clippedCount());
        assertEquals(Math.sqrt(0.25 + 900), stats.maxNorm(), 1e-9);
    }

    @Test
    void squaredRowNorms_areUpperBoundsWithinTheStatedError() {
        SplittableRandom random = new SplittableRandom(1);
        int batch = 7;
        int params = 10_001;
        float[] g = new float[batch * params];
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) (random.nextDouble() * 2 - 1) * (1 + i % 13);
        }
        double[] fast = new double[batch];
        ClipAndSum.squaredRowNorms(g, batch, params, fast);
        double[] portable = ClipAndSum.squaredRowNorms(Nd4j.create(g, new long[] {batch, params}, 'c'));
        for (int r = 0; r < batch; r++) {
            BigDecimal exact = BigDecimal.ZERO;
            for (int j = 0; j < params; j++) {
                BigDecimal x = new BigDecimal(g[r * params + j]);
                exact = exact.add(x.multiply(x));
            }
            double e = exact.doubleValue();
            assertTrue(new BigDecimal(fast[r]).compareTo(exact) >= 0, "fast row " + r);
            assertTrue(fast[r] <= e * (1 + (params + 64.0) * 0x1.0p-51), "fast row " + r);
            assertTrue(new BigDecimal(portable[r]).compareTo(exact) >= 0, "portable row " + r);
            assertTrue(portable[r] <= e * (1 + 4e-6), "portable row " + r);
        }
    }

    @Test
    void portable_doubleMatrixEqualsFastPathOnTheSameValues() {
        SplittableRandom random = new SplittableRandom(4);
        int batch = 9;
        int params = 301;
        float[] g = new float[batch * params];
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) (random.nextGaussian() * (1 + i / params));
        }
        float[] fast = new float[params];
        ClipAndSum.clipAndSum(g, batch, params, 2.0, fast);
        INDArray nd = Nd4j.create(g, new long[] {batch, params}, 'c').castTo(DataType.DOUBLE);
        INDArray out = Nd4j.create(DataType.DOUBLE, params);
        ClipStats stats = ClipAndSum.clipAndSum(nd, 2.0, out);
        assertEquals(batch, stats.size());
        double[] portable = out.toDoubleVector();
        for (int j = 0; j < params; j++) {
            assertEquals(fast[j], portable[j], 1e-5 * (1 + Math.abs(portable[j])), "column " + j);
        }
    }

    @Test
    void squaredRowNorms_columnRangeCoversOneGroup() {
        float[] g = {1, 2, 3, 4, 5, 6};
        double[] out = new double[2];
        ClipAndSum.squaredRowNorms(g, 2, 3, 1, 3, out);
        assertEquals(13.0, out[0], 1e-12);
        assertEquals(61.0, out[1], 1e-12);
    }

    @Test
    void weightedRowSum_skipsZeroWeightRowsWithoutReadingThem() {
        float[] g = {1, 2, NAN, NAN, 3, 4};
        float[] out = {7, 7};
        ClipAndSum.weightedRowSum(g, 3, 2, new double[] {2, 0, -1}, out);
        assertArrayEquals(new float[] {-1, 0}, out);
        ClipAndSum.addWeightedRowSum(g, 3, 2, 1, 2, new double[] {1, 0, 1}, out);
        assertArrayEquals(new float[] {-1, 6}, out);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClipAndSum.weightedRowSum(g, 3, 2, new double[] {1, Double.NaN, 1}, out));
        assertEquals("weights[1] must be finite, got NaN", e.getMessage());
    }

    @Test
    void towardZero_neverIncreasesMagnitude() {
        SplittableRandom random = new SplittableRandom(2);
        for (int i = 0; i < 100_000; i++) {
            double w = (random.nextDouble() * 2 - 1) * Math.pow(10, random.nextInt(-30, 30));
            float f = ClipFactors.toFloatFactor(w);
            assertTrue(Math.abs(f) <= Math.abs(w));
            assertTrue(Math.abs(w) - Math.abs(f) <= Math.ulp((float) w));
        }
        assertEquals(1f, ClipFactors.toFloatFactor(1.0));
        assertEquals(0.5f, ClipFactors.toFloatFactor(0.5));
    }

    @Test
    void kernels_scalarAndBestAddRowsBitForBit() {
        RowKernels best = RowKernels.best();
        RowKernels scalar = new ScalarRowKernels();
        SplittableRandom random = new SplittableRandom(3);
        for (int params : new int[] {1, 15, 16, 17, 63, 64, 65, 1000, 1023}) {
            float[] g = new float[4 * params];
            for (int i = 0; i < g.length; i++) {
                g[i] = (float) random.nextGaussian();
            }
            int[] offsets = {0, params, 2 * params, 3 * params};
            float[] w = {0.3f, -1.7f, 1e-3f, 2.5f};
            for (int count = 1; count <= 4; count++) {
                float[] a = new float[params];
                float[] b = new float[params];
                Arrays.fill(a, 0.25f);
                Arrays.fill(b, 0.25f);
                best.addRows(g, offsets, w, 0, count, 0, a, params);
                scalar.addRows(g, offsets, w, 0, count, 0, b, params);
                assertArrayEquals(b, a, "params " + params + " count " + count);
            }
            double x = best.sumOfSquares(g, 0, params);
            double y = scalar.sumOfSquares(g, 0, params);
            assertEquals(y, x, 1e-13 * y);
        }
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.0, -1.0, Double.NaN, Double.NEGATIVE_INFINITY})
    void rejectsInvalidClipNamingIt(double c) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClipAndSum.clipAndSum(new float[4], 2, 2, c, new float[2]));
        assertEquals("l2NormClip must be > 0, got " + c, e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ClipAndSum.clipAndSum(Nd4j.zeros(DataType.FLOAT, 2, 2), c, Nd4j.zeros(DataType.FLOAT, 2)));
        assertEquals("l2NormClip must be > 0, got " + c, e.getMessage());
    }

    @Test
    void rejectsBadHeapArguments() {
        assertMessage("g must not be null", () -> ClipAndSum.clipAndSum(null, 1, 1, 1.0, new float[1]));
        assertMessage("out must not be null", () -> ClipAndSum.clipAndSum(new float[1], 1, 1, 1.0, null));
        assertMessage("batch must be >= 0, got -1", () -> ClipAndSum.clipAndSum(new float[1], -1, 1, 1.0, new float[1]));
        assertMessage("params must be >= 0, got -2", () -> ClipAndSum.clipAndSum(new float[1], 1, -2, 1.0, new float[1]));
        assertMessage("g.length must be >= batch * params (2 * 3 = 6), got 5",
                () -> ClipAndSum.clipAndSum(new float[5], 2, 3, 1.0, new float[3]));
        assertMessage("out.length must be >= params (3), got 2",
                () -> ClipAndSum.clipAndSum(new float[6], 2, 3, 1.0, new float[2]));
        assertMessage("policy must not be null",
                () -> ClipAndSum.clipAndSum(new float[6], 2, 3, 1.0, null, new float[3]));
        assertMessage("groupOffsets[0] must be 0, got 1", () -> ClipAndSum.clipAndSum(new float[6], 2, 3,
                new int[] {1}, new double[] {1}, NonFiniteNormPolicy.SKIP, new float[3]));
        assertMessage("groupOffsets must be strictly increasing, got groupOffsets[0] = 0 and groupOffsets[1] = 0",
                () -> ClipAndSum.clipAndSum(new float[6], 2, 3, new int[] {0, 0}, new double[] {1, 1},
                        NonFiniteNormPolicy.SKIP, new float[3]));
        assertMessage("groupOffsets[1] must be < params (3), got 3", () -> ClipAndSum.clipAndSum(new float[6], 2, 3,
                new int[] {0, 3}, new double[] {1, 1}, NonFiniteNormPolicy.SKIP, new float[3]));
        assertMessage("groupClips.length must equal groupOffsets.length (2), got 1", () -> ClipAndSum.clipAndSum(
                new float[6], 2, 3, new int[] {0, 1}, new double[] {1}, NonFiniteNormPolicy.SKIP, new float[3]));
        assertMessage("groupClips[1] must be > 0, got 0.0", () -> ClipAndSum.clipAndSum(new float[6], 2, 3,
                new int[] {0, 1}, new double[] {1, 0}, NonFiniteNormPolicy.SKIP, new float[3]));
        assertMessage("columns must satisfy 0 <= columnFrom <= columnTo <= params (3), got columnFrom 2 and columnTo 4",
                () -> ClipAndSum.squaredRowNorms(new float[6], 2, 3, 2, 4, new double[2]));
        assertMessage("out.length must be >= batch (2), got 1",
                () -> ClipAndSum.squaredRowNorms(new float[6], 2, 3, new double[1]));
        assertMessage("weights.length must be >= batch (2), got 1",
                () -> ClipAndSum.weightedRowSum(new float[6], 2, 3, new double[1], new float[3]));
    }

    @Test
    void rejectsBadInArrayArguments() {
        INDArray g = Nd4j.zeros(DataType.FLOAT, 4, 3);
        assertMessage("g must not be null", () -> ClipAndSum.clipAndSum(null, 1.0, Nd4j.zeros(DataType.FLOAT, 3)));
        assertMessage("out must not be null", () -> ClipAndSum.clipAndSum(g, 1.0, null));
        assertMessage("g must be a [batch, params] matrix (rank 2), got shape [12]",
                () -> ClipAndSum.clipAndSum(Nd4j.zeros(DataType.FLOAT, 12), 1.0, Nd4j.zeros(DataType.FLOAT, 3)));
        assertMessage("g must have data type FLOAT or DOUBLE, got INT",
                () -> ClipAndSum.clipAndSum(Nd4j.zeros(DataType.INT, 4, 3), 1.0, Nd4j.zeros(DataType.INT, 3)));
        assertMessage("out must have shape [3] or [1, 3] (params = g.size(1)), got [4]",
                () -> ClipAndSum.clipAndSum(g, 1.0, Nd4j.zeros(DataType.FLOAT, 4)));
        assertMessage("out must have shape [3] or [1, 3] (params = g.size(1)), got [3, 1]",
                () -> ClipAndSum.clipAndSum(g, 1.0, Nd4j.zeros(DataType.FLOAT, 3, 1)));
        assertMessage("out must have the data type of g (FLOAT), got DOUBLE",
                () -> ClipAndSum.clipAndSum(g, 1.0, Nd4j.zeros(DataType.DOUBLE, 3)));
    }

    private static void assertMessage(String expected, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertEquals(expected, e.getMessage());
    }
}
