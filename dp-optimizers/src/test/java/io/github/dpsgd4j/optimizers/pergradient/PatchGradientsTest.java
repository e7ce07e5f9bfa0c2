package io.github.dpsgd4j.optimizers.pergradient;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link PatchGradients#sharedLeftProduct} against one product per example, on both of its paths. */
class PatchGradientsTest {

    @ParameterizedTest(name = "batch {0}, m {1}, k {2}, n {3}, transposed {4}")
    @CsvSource({
            // m*k <= n*(k+m): the broadcast path
            "5, 3, 4, 20, false", "5, 3, 4, 20, true", "1, 2, 2, 9, false",
            // m*k > n*(k+m): the stacked path
            "5, 40, 30, 2, false", "5, 40, 30, 2, true", "1, 16, 16, 1, true"})
    void equalsOneProductPerExample(int batch, int m, int k, int n, boolean transposed) {
        Nd4j.getRandom().setSeed(batch * 1000L + m * 100L + k * 10L + n);
        INDArray left = transposed ? Nd4j.randn(DataType.DOUBLE, k, m) : Nd4j.randn(DataType.DOUBLE, m, k);
        INDArray right = Nd4j.randn(DataType.DOUBLE, batch, k, n);
        INDArray leftCopy = left.dup();
        INDArray rightCopy = right.dup();

        INDArray result = PatchGradients.sharedLeftProduct(left, right, transposed);

        assertArrayEquals(new long[] {batch, m, n}, result.shape());
        assertEquals('c', result.ordering());
        INDArray op = transposed ? left.transpose() : left;
        for (int i = 0; i < batch; i++) {
            INDArray expected = op.mmul(right.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.all()));
            INDArray actual = result.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.all());
            assertEquals(0, expected.sub(actual).norm1Number().doubleValue(), 1e-10 * (1 + expected.norm1Number().doubleValue()),
                    "example " + i);
        }
        assertEquals(leftCopy, left, "left must not be modified");
        assertEquals(rightCopy, right, "right must not be modified");
    }
}
