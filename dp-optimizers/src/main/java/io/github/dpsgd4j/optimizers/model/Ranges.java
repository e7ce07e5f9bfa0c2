package io.github.dpsgd4j.optimizers.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;

/** Helpers on lists of [start, end) ranges of a flat [1, P] parameter or gradient vector. */
final class Ranges {

    private Ranges() {
    }

    /** Fresh copies of the ranges. */
    static List<long[]> copy(List<long[]> ranges) {
        List<long[]> copy = new ArrayList<>(ranges.size());
        for (long[] r : ranges) {
            copy.add(r.clone());
        }
        return copy;
    }

    /** Zeroes the entries of a flat [1, P] array that lie outside the (sorted, disjoint) ranges. */
    static void zeroOutside(INDArray flat, List<long[]> ranges) {
        long start = 0;
        for (long[] range : ranges) {
            if (range[0] > start) {
                flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(start, range[0])).assign(0);
            }
            start = range[1];
        }
        long total = flat.length();
        if (total > start) {
            flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(start, total)).assign(0);
        }
    }

    /** Appends {@code [offset, offset + n)} to sorted ranges, merging it with the last one when they touch. */
    static void append(List<long[]> ranges, long offset, long n) {
        if (!ranges.isEmpty() && ranges.get(ranges.size() - 1)[1] == offset) {
            ranges.get(ranges.size() - 1)[1] = offset + n;
        } else {
            ranges.add(new long[] {offset, offset + n});
        }
    }
}
