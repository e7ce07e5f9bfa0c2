package io.github.dpsgd4j.optimizers.pergradient;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TokenRowsTest {

    /**
     * Embedding gradients scatter one row per token; sequences repeat tokens (padding above all).
     * Every row must arrive, however often its index repeats: compared with a sequential sum in double.
     */
    @Test
    void scatterAdd_addsEveryRow_evenForHeavilyRepeatedIndices() {
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
        TokenRows.scatterAdd(weights, indices, Nd4j.createFromArray(rows).reshape(n, width));
        for (int v = 0; v < vocabulary; v++) {
            for (int k = 0; k < width; k++) {
                double want = expected[v][k] + (v == 3 ? 1 : 0);
                assertEquals(want, weights.getDouble(v, k), 1e-6 * Math.max(1, Math.abs(want)), "row " + v + " col " + k);
            }
        }
    }

    /**
     * Per-example norms group the rows of equal tokens within one example only: compared with a
     * direct sum per (example, token) in double, for mostly repeated tokens.
     */
    @Test
    void squaredNormsPerExample_sumRowsOfEqualTokensWithinEachExample() {
        int batch = 37;
        int length = 23;
        int width = 5;
        Random random = new Random(11);
        int[] tokens = new int[batch * length];
        double[] rows = new double[batch * length * width];
        double[] expected = new double[batch];
        for (int i = 0; i < batch; i++) {
            double[][] perToken = new double[4][width];
            for (int t = 0; t < length; t++) {
                int r = i * length + t;
                tokens[r] = random.nextInt(4);
                for (int k = 0; k < width; k++) {
                    rows[r * width + k] = random.nextGaussian();
                    perToken[tokens[r]][k] += rows[r * width + k];
                }
            }
            for (double[] sum : perToken) {
                for (double v : sum) {
                    expected[i] += v * v;
                }
            }
        }
        double[] norms = TokenRows.squaredNormsPerExample(tokens,
                Nd4j.createFromArray(rows).reshape(batch * length, width), length);
        for (int i = 0; i < batch; i++) {
            assertEquals(expected[i], norms[i], 1e-9 * expected[i], "example " + i);
        }
    }

    /** One row (a batch of one example, one token) is summed and scattered whole. */
    @Test
    void scatterAdd_singleRow_addsTheWholeRow() {
        INDArray weights = Nd4j.zeros(DataType.DOUBLE, 4, 3);
        TokenRows.scatterAdd(weights, new int[] {3}, Nd4j.createFromArray(new double[][] {{1, 2, 3}}));
        assertEquals(Nd4j.createFromArray(new double[][] {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {1, 2, 3}}), weights);
        double[] norms = TokenRows.squaredNormsPerExample(new int[] {2}, Nd4j.createFromArray(new double[][] {{1, 2, 3}}), 1);
        assertEquals(14.0, norms[0], 1e-12);
    }
}
