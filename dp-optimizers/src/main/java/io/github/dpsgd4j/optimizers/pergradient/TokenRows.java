package io.github.dpsgd4j.optimizers.pergradient;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scatter.ScatterUpdate;
import org.nd4j.linalg.api.ops.impl.transforms.custom.segment.SegmentSum;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * Sums of embedding-gradient rows grouped by key, for the embedding rules: rows {@code delta[n, :]}
 * (one per looked-up token) whose keys are equal add up, because they update the same row of the
 * embedding matrix. The rows stay in ND4J arrays (in the step's workspace when one is open), summed
 * in double; only the keys and a permutation (ints) live on the Java heap, so the rules allocate no
 * heap arrays the size of dL/dz.
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
     * in double.
     *
     * @param tokens token indices, example-major, length B*length, each >= 0
     * @param rows   [B*length, width] rows in the same order
     * @param length positions per example, >= 1
     * @return B squared norms, each >= 0
     */
    static double[] squaredNormsPerExample(int[] tokens, INDArray rows, int length) {
        int n = tokens.length;
        int batch = n / length;
        int[] order = new int[n];
        int[] segment = new int[n];
        int[] segmentExample = new int[n];
        int segments = 0;
        long[] keys = new long[length];
        for (int i = 0; i < batch; i++) {
            int base = i * length;
            for (int t = 0; t < length; t++) {
                keys[t] = ((long) tokens[base + t] << 32) | t; // (token, position): equal tokens sort together
            }
            Arrays.sort(keys);
            for (int t = 0; t < length; t++) {
                order[base + t] = base + (int) keys[t];
                if (t == 0 || (keys[t] >>> 32) != (keys[t - 1] >>> 32)) {
                    segmentExample[segments++] = i;
                }
                segment[base + t] = segments - 1;
            }
        }
        INDArray sums = segmentSum(rows, order, segment);
        INDArray squared = sums.muli(sums).sum(1).reshape(segments, 1);
        return segmentSum(squared, null, Arrays.copyOf(segmentExample, segments)).reshape(batch).toDoubleVector();
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
        long[] keys = new long[n];
        for (int r = 0; r < n; r++) {
            keys[r] = ((long) indices[r] << 32) | r;
        }
        Arrays.sort(keys);
        int[] order = new int[n];
        int[] segment = new int[n];
        int[] distinct = new int[n];
        int segments = 0;
        for (int s = 0; s < n; s++) {
            order[s] = (int) keys[s];
            int index = (int) (keys[s] >>> 32);
            if (segments == 0 || distinct[segments - 1] != index) {
                distinct[segments++] = index;
            }
            segment[s] = segments - 1;
        }
        INDArray summed = segmentSum(rows, order, segment).castTo(weights.dataType());
        Nd4j.scatterUpdate(ScatterUpdate.UpdateOp.ADD, weights, Nd4j.createFromArray(Arrays.copyOf(distinct, segments)),
                summed, 1);
    }

    /**
     * Sums in double of {@code rows} taken in {@code order} (all rows in order when null), grouped by
     * the sorted, consecutive {@code segment} ids: result[s] = sum of rows[order[k]] with segment[k] = s.
     */
    private static INDArray segmentSum(INDArray rows, int[] order, int[] segment) {
        INDArray doubles = rows.castTo(DataType.DOUBLE);
        INDArray sorted = order == null ? doubles.dup('c') : Nd4j.pullRows(doubles, 1, order);
        if (segment[segment.length - 1] == segment.length - 1) {
            // Every row is its own segment. (libnd4j's segment_sum also returns a wrong result for a
            // single input row, which this case covers.)
            return sorted;
        }
        return Nd4j.exec(new SegmentSum(sorted, Nd4j.createFromArray(segment)))[0];
    }
}
