package io.github.dpsgd4j.optimizers.engine;

import io.github.dpsgd4j.core.clip.ClipStats;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ClippedSumTest {

    private static ClippedSum of(double[] values, int size, int clipped, double loss) {
        return ClippedSum.fromArray(values, DataType.DOUBLE, new ClipStats(size, 0, clipped, 1.0), loss);
    }

    @Test
    void merge_isAssociativeAndCommutative_withZeroAsIdentity() {
        ClippedSum a = of(new double[] {1, 2, 3}, 2, 1, 0.5);
        ClippedSum b = of(new double[] {-1, 0.25, 4}, 3, 0, 1.5);
        ClippedSum c = of(new double[] {0.5, 0.5, -8}, 1, 1, 2.0);
        ClippedSum left = a.merge(b).merge(c);
        ClippedSum right = a.merge(b.merge(c));
        assertArrayEquals(left.toDoubleArray(), right.toDoubleArray(), 0);
        assertArrayEquals(a.merge(b).toDoubleArray(), b.merge(a).toDoubleArray(), 0);
        assertEquals(left.stats(), right.stats());
        assertEquals(6, left.examples());
        assertEquals(2, left.stats().clippedCount());
        assertEquals(4.0, left.summedLoss());
        assertArrayEquals(new double[] {0.5, 2.75, -1}, left.toDoubleArray(), 0);
        ClippedSum zero = ClippedSum.zero(DataType.DOUBLE, 3);
        assertArrayEquals(a.toDoubleArray(), a.merge(zero).toDoubleArray(), 0);
        assertEquals(a.stats(), a.merge(zero).stats());
    }

    @Test
    void merge_refusesSumsOfDifferentModels() {
        ClippedSum a = of(new double[] {1, 2, 3}, 2, 1, 0.5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> a.merge(ClippedSum.zero(DataType.DOUBLE, 4)));
        assertEquals("cannot merge a clipped sum of 4 DOUBLE values into one of 3 DOUBLE", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ClippedSum(Nd4j.zeros(3), ClipStats.empty(), 0));
    }
}
