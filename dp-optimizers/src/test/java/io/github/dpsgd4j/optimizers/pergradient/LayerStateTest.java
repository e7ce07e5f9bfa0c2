package io.github.dpsgd4j.optimizers.pergradient;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LayerStateTest {

    /**
     * Embedding gradients scatter one row per token; sequences repeat tokens (padding above all).
     * Every row must arrive, however often its index repeats: compared with a sequential sum in double.
     */
    @Test
    void scatterAddRows_addsEveryRow_evenForHeavilyRepeatedIndices() {
        int n = 40_000;
        int width = 16;
        int vocabulary = 7;
        Random random = new Random(5);
        int[] indices = new int[n];
        float[] rows = new float[n * width];
        double[][] expected = new double[vocabulary][width];
        for (int i = 0; i < n; i++) {
            indices[i] = random.nextInt(10) < 8 ? 0 : 1 + random.nextInt(vocabulary - 1); // mostly "padding" 0
            for (int k = 0; k < width; k++) {
                rows[i * width + k] = (float) random.nextGaussian();
                expected[indices[i]][k] += rows[i * width + k];
            }
        }
        INDArray weights = Nd4j.zeros(DataType.FLOAT, vocabulary, width);
        weights.getRow(3).assign(1);
        LayerState.scatterAddRows(weights, indices, Nd4j.createFromArray(rows).reshape(n, width));
        for (int v = 0; v < vocabulary; v++) {
            for (int k = 0; k < width; k++) {
                double want = expected[v][k] + (v == 3 ? 1 : 0);
                assertEquals(want, weights.getDouble(v, k), 1e-6 * Math.max(1, Math.abs(want)), "row " + v + " col " + k);
            }
        }
    }
}
