package io.github.dpsgd4j.optimizers.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.indexing.SpecifiedIndex;

import java.util.Arrays;

/**
 * The arrays of one micro-batch of B examples, one entry per model input and output (a
 * {@code MultiLayerNetwork} has one of each). Example i is row i (first dimension) of every array.
 * The arrays are used as given (not copied, not modified by this class).
 *
 * @param features       one array per model input, each [B, ...]; not null, no null entries
 * @param labels         one array per model output, each [B, ...]; not null, no null entries
 * @param featuresMasks  one mask per input (entries may be null), or null for no masks
 * @param labelsMasks    one mask per output (entries may be null), or null for no masks
 */
public record Batch(INDArray[] features, INDArray[] labels, INDArray[] featuresMasks, INDArray[] labelsMasks) {

    /** Checks that the arrays are present and that every one has the same number of examples. */
    public Batch {
        if (features == null || features.length == 0 || labels == null || labels.length == 0) {
            throw new IllegalArgumentException("a batch needs at least one features array and one labels array");
        }
        long n = features[0] == null ? -1 : features[0].size(0);
        check("features", features, n, false);
        check("labels", labels, n, false);
        check("featuresMasks", featuresMasks, n, true);
        check("labelsMasks", labelsMasks, n, true);
    }

    private static void check(String what, INDArray[] arrays, long n, boolean nullable) {
        if (arrays == null) {
            return;
        }
        for (int i = 0; i < arrays.length; i++) {
            if (arrays[i] == null) {
                if (!nullable) {
                    throw new IllegalArgumentException(what + "[" + i + "] must not be null");
                }
                continue;
            }
            if (arrays[i].rank() == 0 || arrays[i].size(0) != n) {
                throw new IllegalArgumentException(what + "[" + i + "] has shape " + Arrays.toString(arrays[i].shape())
                        + " but the batch has " + n + " examples: its first dimension must be " + n);
            }
        }
    }

    /** A batch of one model input and one output (a {@code MultiLayerNetwork}'s). */
    public static Batch single(INDArray features, INDArray labels, INDArray featuresMask, INDArray labelsMask) {
        return new Batch(new INDArray[] {features}, new INDArray[] {labels},
                featuresMask == null ? null : new INDArray[] {featuresMask},
                labelsMask == null ? null : new INDArray[] {labelsMask});
    }

    /** B, the number of examples. */
    public int size() {
        return (int) features[0].size(0);
    }

    /** The features mask of input {@code i}, or null. */
    public INDArray featuresMask(int i) {
        return featuresMasks == null ? null : featuresMasks[i];
    }

    /** The labels mask of output {@code i}, or null. */
    public INDArray labelsMask(int i) {
        return labelsMasks == null ? null : labelsMasks[i];
    }

    /** A copy of the given examples, in the given order. */
    public Batch rows(int[] rows) {
        return new Batch(rows(features, rows), rows(labels, rows), rows(featuresMasks, rows), rows(labelsMasks, rows));
    }

    private static INDArray[] rows(INDArray[] arrays, int[] rows) {
        if (arrays == null) {
            return null;
        }
        INDArray[] out = new INDArray[arrays.length];
        for (int i = 0; i < arrays.length; i++) {
            out[i] = rows(arrays[i], rows);
        }
        return out;
    }

    /** A copy of the given examples (first dimension) of {@code array}; null stays null. */
    public static INDArray rows(INDArray array, int[] rows) {
        if (array == null) {
            return null;
        }
        INDArrayIndex[] index = new INDArrayIndex[array.rank()];
        index[0] = new SpecifiedIndex(Arrays.stream(rows).asLongStream().toArray());
        for (int d = 1; d < index.length; d++) {
            index[d] = NDArrayIndex.all();
        }
        return array.get(index).dup();
    }
}
