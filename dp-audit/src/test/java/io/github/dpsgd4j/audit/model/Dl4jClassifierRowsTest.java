package io.github.dpsgd4j.audit.model;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class Dl4jClassifierRowsTest {

    private static void assertSameAsToDoubleMatrix(INDArray m) {
        double[][] expected = m.toDoubleMatrix();
        double[][] actual = Dl4jClassifier.rows(m);
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], actual[i], 0.0, "row " + i);
        }
    }

    @Test
    void rows_equalToDoubleMatrix_forEveryOrderTypeAndView() {
        INDArray c = Nd4j.linspace(1, 35, 35, DataType.DOUBLE).reshape('c', 5, 7);
        assertSameAsToDoubleMatrix(c);
        assertSameAsToDoubleMatrix(c.dup('f'));
        assertSameAsToDoubleMatrix(c.castTo(DataType.FLOAT));
        assertSameAsToDoubleMatrix(c.transpose());
        assertSameAsToDoubleMatrix(c.get(NDArrayIndex.interval(1, 4), NDArrayIndex.interval(2, 6)));
        assertSameAsToDoubleMatrix(c.dup('f').get(NDArrayIndex.interval(1, 4), NDArrayIndex.interval(2, 6)));
        double before = c.getDouble(2, 3);
        Dl4jClassifier.rows(c)[2][3] = -1;
        assertEquals(before, c.getDouble(2, 3), 0.0, "the matrix is not modified");
    }

    @Test
    void rows_refusesOtherRanks() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Dl4jClassifier.rows(Nd4j.zeros(DataType.DOUBLE, 2, 3, 4)));
        assertEquals("matrix must have rank 2, got shape [2, 3, 4]", e.getMessage());
    }
}
