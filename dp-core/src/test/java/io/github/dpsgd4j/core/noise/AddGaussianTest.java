package io.github.dpsgd4j.core.noise;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link NoiseSource#addGaussian(INDArray, double)} on FLOAT and DOUBLE arrays, whole and as
 * views. The noise added is tested with the statistics of {@link GaussianStatistics} (seeded,
 * deterministic; false-failure rate 1e-6 per statistic for a random key), and the twin shows that
 * the same check rejects noise of the wrong scale.
 */
class AddGaussianTest {

    private static final double SIGMA = 0.75;

    enum Type {
        FLOAT(DataType.FLOAT), DOUBLE(DataType.DOUBLE);
        final DataType dataType;

        Type(DataType dataType) {
            this.dataType = dataType;
        }
    }

    private static double[] difference(INDArray after, INDArray before) {
        return after.castTo(DataType.DOUBLE).sub(before.castTo(DataType.DOUBLE)).reshape(after.length())
                .toDoubleVector();
    }

    private static void assertGaussian(double[] added, double sigma) {
        GaussianStatistics.Verdict mean = GaussianStatistics.mean(added, sigma);
        GaussianStatistics.Verdict variance = GaussianStatistics.variance(added, sigma);
        GaussianStatistics.Verdict ks = GaussianStatistics.kolmogorovSmirnov(added, sigma);
        assertFalse(mean.rejects(), mean.detail());
        assertFalse(variance.rejects(), variance.detail());
        assertFalse(ks.rejects(), ks.detail());
    }

    @ParameterizedTest
    @EnumSource(Type.class)
    void wholeMatrix_receivesIidGaussianNoise(Type type) {
        INDArray target = Nd4j.linspace(-1, 1, 400 * 500, type.dataType).reshape('c', 400, 500);
        INDArray before = target.dup();
        NoiseSource.seeded(1).addGaussian(target, SIGMA);
        assertEquals(type.dataType, target.dataType());
        assertGaussian(difference(target, before), SIGMA);
    }

    @ParameterizedTest
    @EnumSource(Type.class)
    void nonContiguousView_receivesNoiseAndTheRestIsUntouched(Type type) {
        INDArray base = Nd4j.zeros(type.dataType, 600, 700);
        INDArray view = base.get(NDArrayIndex.interval(50, 550), NDArrayIndex.interval(100, 500));
        assertTrue(view.isView());
        NoiseSource.seeded(2).addGaussian(view, SIGMA);
        assertGaussian(view.dup().reshape(view.length()).castTo(DataType.DOUBLE).toDoubleVector(), SIGMA);
        INDArray outside = base.dup();
        outside.get(NDArrayIndex.interval(50, 550), NDArrayIndex.interval(100, 500)).assign(0);
        assertEquals(0.0, outside.norm1Number().doubleValue());
    }

    @ParameterizedTest
    @EnumSource(Type.class)
    void fortranOrderedRowView_receivesNoiseAndOtherRowsAreUntouched(Type type) {
        INDArray base = Nd4j.create(type.dataType, new long[] {300, 400}, 'f');
        INDArray row = base.getRow(7);
        NoiseSource.seeded(3).addGaussian(row, SIGMA);
        assertEquals(0.0, base.getRow(6).norm1Number().doubleValue());
        double[] added = row.dup().castTo(DataType.DOUBLE).toDoubleVector();
        assertEquals(400, added.length);
        for (double v : added) {
            assertTrue(v != 0);
        }
    }

    @ParameterizedTest
    @EnumSource(Type.class)
    void contiguousRowOfMatrix_takesTheCpuShortcutAndLeavesOtherRowsUntouched(Type type) {
        INDArray base = Nd4j.zeros(type.dataType, 5, 300_001);
        INDArray row = base.getRow(3);
        assertTrue(NdArrayNoise.inPlaceApplies(row));
        NoiseSource.seeded(9).addGaussian(row, SIGMA);
        assertGaussian(row.dup().castTo(DataType.DOUBLE).toDoubleVector(), SIGMA);
        assertEquals(0.0, base.getRow(2).norm1Number().doubleValue());
        assertEquals(0.0, base.getRow(4).norm1Number().doubleValue());
    }

    @ParameterizedTest
    @EnumSource(Type.class)
    void cpuShortcutAndPortablePath_addTheSameDraws(Type type) {
        INDArray a = Nd4j.linspace(-1, 1, 200 * 300, type.dataType).reshape('c', 200, 300);
        INDArray b = a.dup();
        assertTrue(NdArrayNoise.inPlaceApplies(a));
        NoiseSource.seeded(10).addGaussian(a, SIGMA);
        NdArrayNoise.addPortable(NoiseSource.seeded(10), b, SIGMA);
        assertEquals(b, a);
    }

    @Test
    void nonContiguousTargets_takeThePortablePath() {
        INDArray base = Nd4j.zeros(DataType.FLOAT, 10, 10);
        assertFalse(NdArrayNoise.inPlaceApplies(base.getColumn(2)));
        assertFalse(NdArrayNoise.inPlaceApplies(base.get(NDArrayIndex.interval(1, 3), NDArrayIndex.interval(1, 3))));
    }

    @Test
    void largeRowVector_isChunkedAndFullyCoveredOnThePortablePath() {
        int n = (int) (2.5 * NdArrayNoise.CHUNK) + 3;
        INDArray target = Nd4j.zeros(DataType.FLOAT, 1, n);
        NdArrayNoise.addPortable(NoiseSource.seeded(4), target, SIGMA);
        float[] values = target.toFloatVector();
        int zeros = 0;
        for (float v : values) {
            zeros += v == 0f ? 1 : 0;
        }
        assertTrue(zeros < 5, "zeros: " + zeros);
        double[] sample = new double[1_000_000];
        for (int i = 0; i < sample.length; i++) {
            sample[i] = values[values.length - 1 - i];
        }
        assertGaussian(sample, SIGMA);
    }

    @Test
    void rank3AndScalarTargets_receiveNoise() {
        INDArray cube = Nd4j.zeros(DataType.DOUBLE, 20, 30, 40);
        NoiseSource.seeded(5).addGaussian(cube, SIGMA);
        assertGaussian(cube.reshape(cube.length()).toDoubleVector(), SIGMA);
        INDArray scalar = Nd4j.scalar(1.5f);
        NoiseSource.seeded(5).addGaussian(scalar, SIGMA);
        assertTrue(scalar.getFloat(0) != 1.5f);
    }

    @Test
    void twin_wrongScaleIsRejectedBySameCheck() {
        INDArray target = Nd4j.zeros(DataType.FLOAT, 400, 500);
        NoiseSource.seeded(6).addGaussian(target, SIGMA * 1.1);
        double[] added = target.reshape(target.length()).castTo(DataType.DOUBLE).toDoubleVector();
        assertTrue(GaussianStatistics.variance(added, SIGMA).rejects());
        assertTrue(GaussianStatistics.kolmogorovSmirnov(added, SIGMA).rejects());
    }

    @Test
    void zeroStandardDeviationAndEmptyArraysAreLeftUnchanged() {
        INDArray target = Nd4j.ones(DataType.FLOAT, 3, 3);
        NoiseSource.seeded(7).addGaussian(target, 0);
        assertEquals(Nd4j.ones(DataType.FLOAT, 3, 3), target);
        NoiseSource.seeded(7).addGaussian(Nd4j.create(DataType.FLOAT, 0, 5), 1);
    }

    @Test
    void rejectsNullOtherDataTypesAndBadStandardDeviation() {
        NoiseSource source = NoiseSource.seeded(8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> source.addGaussian(null, 1));
        assertEquals("target must not be null", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> source.addGaussian(Nd4j.zeros(DataType.INT, 3), 1));
        assertEquals("target must have data type FLOAT or DOUBLE, got INT", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> source.addGaussian(Nd4j.zeros(DataType.HALF, 3), 1));
        e = assertThrows(IllegalArgumentException.class,
                () -> source.addGaussian(Nd4j.zeros(DataType.FLOAT, 3), Double.NaN));
        assertEquals("standardDeviation must be finite and >= 0, got NaN", e.getMessage());
    }
}
