package io.github.dpsgd4j.optimizers.pergradient;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Layout conversions the recurrent rules share. DL4J's sequences are [B, F, T] (NCW) or [B, T, F]
 * (NWC); the rules work time-major, [T, B, F] in c order, so that step t is one contiguous [B, F]
 * block, and hand example-major [B, T, F] arrays to {@link SequenceOuterProducts}.
 */
final class RecurrentArrays {

    private RecurrentArrays() {
    }

    /** A new time-major [T, B, F] c-order copy of a DL4J sequence in {@code format}, in {@code type}. */
    static INDArray timeMajor(INDArray sequence, RNNFormat format, DataType type) {
        INDArray permuted = format == RNNFormat.NWC ? sequence.permute(1, 0, 2) : sequence.permute(2, 0, 1);
        return permuted.castTo(type).dup('c');
    }

    /** A DL4J sequence in {@code format} (a view where possible) of a time-major [T, B, F] array. */
    static INDArray fromTimeMajor(INDArray timeMajor, RNNFormat format) {
        return format == RNNFormat.NWC ? timeMajor.permute(1, 0, 2) : timeMajor.permute(1, 2, 0);
    }

    /** A new example-major [B, T, F] c-order copy of a time-major [T, B, F] array. */
    static INDArray exampleMajor(INDArray timeMajor) {
        return timeMajor.permute(1, 0, 2).dup('c');
    }

    /**
     * The time-major [T, B, K1 + K2 + 1] array {@code [first | second | 1]}: the inputs of two
     * weights that share deltas, with a column of ones for the bias.
     */
    static INDArray withOnes(INDArray first, INDArray second) {
        long k1 = first.size(2);
        long k2 = second == null ? 0 : second.size(2);
        INDArray joined = Nd4j.ones(first.dataType(), first.size(0), first.size(1), k1 + k2 + 1);
        joined.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, k1)).assign(first);
        if (second != null) {
            joined.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(k1, k1 + k2)).assign(second);
        }
        return joined;
    }

    /**
     * The layer's time-step mask as a time-major [T, B, 1] array in {@code type}, or null without a
     * mask.
     *
     * @throws IllegalStateException if the mask is not [B, T]
     */
    static INDArray timeMajorMask(Layer layer, long batch, long steps, DataType type) {
        INDArray mask = layer.getMaskArray();
        if (mask == null) {
            return null;
        }
        if (mask.rank() != 2 || mask.size(0) != batch || mask.size(1) != steps) {
            throw new IllegalStateException("layer " + LayerRules.describe(layer) + " expects a time-step mask [" + batch
                    + ", " + steps + "], got " + java.util.Arrays.toString(mask.shape()));
        }
        return mask.castTo(type).transpose().dup('c').reshape('c', steps, batch, 1);
    }

    /** Row t of a time-major array: the contiguous [B, F] block of step t (a view). */
    static INDArray step(INDArray timeMajor, long t) {
        return timeMajor.tensorAlongDimension(t, 1, 2);
    }

    /**
     * Adds rows [from, from + rows) of a [K, M] array into a gradient view of shape [rows, M] (or
     * [1, M] / [M] for a bias row).
     */
    static void addRows(INDArray view, INDArray source, long from, long rows) {
        INDArray block = source.get(NDArrayIndex.interval(from, from + rows), NDArrayIndex.all());
        if (view.rank() == 1) {
            view.addi(block.reshape(view.length()));
        } else {
            view.addi(block.reshape(view.shape()));
        }
    }

    /**
     * A new c-order copy of {@code sequence} with its steps along {@code timeAxis} in reverse order
     * (a plain index reverse over the padded length, as DL4J's {@code Bidirectional} and
     * {@code GravesBidirectionalLSTM} do; not mask-aware).
     */
    static INDArray reverseTime(INDArray sequence, int timeAxis) {
        long steps = sequence.size(timeAxis);
        long[] order = new long[(int) steps];
        for (int t = 0; t < steps; t++) {
            order[t] = steps - 1 - t;
        }
        org.nd4j.linalg.indexing.INDArrayIndex[] index = new org.nd4j.linalg.indexing.INDArrayIndex[sequence.rank()];
        for (int d = 0; d < index.length; d++) {
            index[d] = d == timeAxis ? NDArrayIndex.indices(order) : NDArrayIndex.all();
        }
        return sequence.get(index).dup('c');
    }
}
