package io.github.dpsgd4j.optimizers.pergradient;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scatter.ScatterUpdate;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.DoubleBuffer;
import java.util.Arrays;

/**
 * Sums of embedding-gradient rows grouped by key, for the embedding rules: rows {@code delta[n, :]}
 * (one per looked-up token) whose keys are equal add up, because they update the same row of the
 * embedding matrix. The rows are read in place from a double copy in ND4J memory (in the step's
 * workspace when one is open) and summed in double; on the Java heap live only the sort keys (one
 * long per row) and, for the clipped sum, one sum per distinct token, so the rules no longer copy
 * dL/dz into heap arrays (three copies per step before). (libnd4j's segment_sum was tried and
 * measured about 10 times slower on the conv1d benchmark's shapes.)
 *
 * <p>Static methods only (thread-safe); arguments are not modified unless said.
 */
final class TokenRows {

    private TokenRows() {
    }

    /**
     * Per-example squared norms of the embedding-weight gradient: with {@code tokens[i*length + t]}
     * the token at position t of example i and {@code rows} [B*length, width] the matching dL/dz rows,
     * {@code result[i] = sum over distinct tokens v of example i of |sum_{t: token = v} rows[i*length + t]|^2},
     * in double. The rows are read in place from a double copy in ND4J memory (no heap copy).
     *
     * @param tokens token indices, example-major, length B*length, each >= 0
     * @param rows   [B*length, width] rows in the same order
     * @param length positions per example, >= 1
     * @return B squared norms, each >= 0
     */
    static double[] squaredNormsPerExample(int[] tokens, INDArray rows, int length) {
        int batch = tokens.length / length;
        int width = (int) rows.size(1);
        INDArray doubles = rows.castTo(DataType.DOUBLE).dup('c');
        DoubleBuffer d = doubles.data().asNioDouble();
        int base0 = (int) doubles.offset();
        double[] result = new double[batch];
        long[] keys = new long[length];
        double[] run = new double[width];
        for (int i = 0; i < batch; i++) {
            int base = i * length;
            for (int t = 0; t < length; t++) {
                keys[t] = ((long) tokens[base + t] << 32) | t; // (token, position): equal tokens sort together
            }
            Arrays.sort(keys);
            double sum = 0;
            int t = 0;
            while (t < length) {
                Arrays.fill(run, 0);
                long token = keys[t] >>> 32;
                while (t < length && (keys[t] >>> 32) == token) {
                    int row = base0 + (base + (int) keys[t]) * width;
                    for (int k = 0; k < width; k++) {
                        run[k] += d.get(row + k);
                    }
                    t++;
                }
                for (int k = 0; k < width; k++) {
                    sum += run[k] * run[k];
                }
            }
            result[i] = sum;
        }
        return result;
    }

    /**
     * {@code weights[indices[r], :] += rows[r, :]} for every r, repeated indices adding up. The rows
     * of each distinct index are summed first (in double) and then scattered once: ND4J's scatter-add
     * updates rows in parallel without atomics, so repeated indices could lose updates.
     *
     * @param weights the matrix to update in place, [vocabulary, width]
     * @param indices row indices into {@code weights}, one per row of {@code rows}
     * @param rows    [indices.length, width]; not modified
     */
    static void scatterAdd(INDArray weights, int[] indices, INDArray rows) {
        int n = indices.length;
        int width = (int) rows.size(1);
        long[] keys = new long[n];
        for (int r = 0; r < n; r++) {
            keys[r] = ((long) indices[r] << 32) | r;
        }
        Arrays.sort(keys);
        int[] distinct = new int[n];
        int segments = 0;
        for (int s = 0; s < n; s++) {
            int index = (int) (keys[s] >>> 32);
            if (segments == 0 || distinct[segments - 1] != index) {
                distinct[segments++] = index;
            }
        }
        INDArray doubles = rows.castTo(DataType.DOUBLE).dup('c');
        DoubleBuffer d = doubles.data().asNioDouble();
        int base0 = (int) doubles.offset();
        // One heap array of (distinct indices) x width sums, in double, each index's rows in order.
        double[] sums = new double[segments * width];
        for (int s = 0, segment = -1, previous = -1; s < n; s++) {
            int index = (int) (keys[s] >>> 32);
            if (index != previous) {
                segment++;
                previous = index;
            }
            int row = base0 + (int) keys[s] * width;
            for (int k = 0, to = segment * width; k < width; k++) {
                sums[to + k] += d.get(row + k);
            }
        }
        INDArray summed = Nd4j.createFromArray(sums).reshape(segments, width).castTo(weights.dataType());
        Nd4j.scatterUpdate(ScatterUpdate.UpdateOp.ADD, weights, Nd4j.createFromArray(Arrays.copyOf(distinct, segments)),
                summed, 1);
    }
}
