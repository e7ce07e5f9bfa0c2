package io.github.dpsgd4j.optimizers.pergradient;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The 3D im2col and col2im the volume rules share ({@link Convolution3DLayerRule},
 * {@link Deconvolution3DLayerRule}), as one strided copy per kernel tap (ND4J 1.0.0-M2.1 exposes no
 * 3D im2col op). Volumes are [B, C, D, H, W] and already zero-padded: grid cell (o0, o1, o2) of
 * kernel tap (a, b, c) reads voxel {@code (o0*s0 + a*d0, o1*s1 + b*d1, o2*s2 + c*d2)}. Patches are in
 * im2col's channel-major layout [B, C, k0, k1, k2, o0, o1, o2].
 */
final class VolumePatches {

    private VolumePatches() {
    }

    /**
     * A zero volume of {@code size} [B, C, P0, P1, P2] holding {@code volume} at offset {@code before}.
     *
     * @param volume [B, C, D, H, W]; not modified
     */
    static INDArray padded(INDArray volume, int[] before, long[] size) {
        INDArray padded = Nd4j.zeros(volume.dataType(), size);
        padded.get(interior(volume.shape(), before)).assign(volume);
        return padded;
    }

    /** The region {@code [before, before + size)} of a padded volume as a copy, c order. */
    static INDArray cropped(INDArray padded, int[] before, long[] size) {
        return padded.get(interior(size, before)).dup('c');
    }

    /**
     * The padded extent per spatial axis that holds both the volume at its offset and every window.
     *
     * @param size   the volume's spatial size
     * @param before the padding before it
     * @param grid   the number of windows per axis
     */
    static long[] paddedSize(long batch, long channels, long[] size, int[] before, int[] grid, int[] kernel,
                             int[] strides, int[] dilation) {
        long[] padded = {batch, channels, 0, 0, 0};
        for (int d = 0; d < 3; d++) {
            long windowsEnd = (long) (grid[d] - 1) * strides[d] + (long) (kernel[d] - 1) * dilation[d] + 1;
            padded[d + 2] = Math.max(size[d] + before[d], windowsEnd);
        }
        return padded;
    }

    /** The patches of a padded volume: a new [B, C, k0, k1, k2, grid0, grid1, grid2] array, c order. */
    static INDArray gather(INDArray padded, int[] kernel, int[] grid, int[] strides, int[] dilation) {
        INDArray columns = Nd4j.createUninitialized(padded.dataType(), new long[] {padded.size(0), padded.size(1),
                kernel[0], kernel[1], kernel[2], grid[0], grid[1], grid[2]}, 'c');
        for (int a = 0; a < kernel[0]; a++) {
            for (int b = 0; b < kernel[1]; b++) {
                for (int c = 0; c < kernel[2]; c++) {
                    columns.get(tap(a, b, c)).assign(padded.get(window(a, b, c, grid, strides, dilation)));
                }
            }
        }
        return columns;
    }

    /** Adds every patch back onto the voxels it was read from (col2im); {@code padded} is modified. */
    static void scatterAdd(INDArray columns, INDArray padded, int[] kernel, int[] grid, int[] strides, int[] dilation) {
        for (int a = 0; a < kernel[0]; a++) {
            for (int b = 0; b < kernel[1]; b++) {
                for (int c = 0; c < kernel[2]; c++) {
                    padded.get(window(a, b, c, grid, strides, dilation)).addi(columns.get(tap(a, b, c)));
                }
            }
        }
    }

    private static INDArrayIndex[] interior(long[] shape, int[] before) {
        if (before[0] < 0 || before[1] < 0 || before[2] < 0) {
            // A negative offset would address memory outside the padded volume.
            throw new IllegalArgumentException("padding must be >= 0 on every axis, got " + java.util.Arrays.toString(before));
        }
        return new INDArrayIndex[] {NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.interval(before[0], before[0] + shape[shape.length - 3]),
                NDArrayIndex.interval(before[1], before[1] + shape[shape.length - 2]),
                NDArrayIndex.interval(before[2], before[2] + shape[shape.length - 1])};
    }

    /** Kernel tap (a, b, c) of the patches: [B, C, grid0, grid1, grid2]. */
    private static INDArrayIndex[] tap(int a, int b, int c) {
        return new INDArrayIndex[] {NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(a),
                NDArrayIndex.point(b), NDArrayIndex.point(c), NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.all()};
    }

    /** The padded voxels kernel tap (a, b, c) reads at every grid cell: [B, C, grid0, grid1, grid2]. */
    private static INDArrayIndex[] window(int a, int b, int c, int[] grid, int[] strides, int[] dilation) {
        int[] offset = {a * dilation[0], b * dilation[1], c * dilation[2]};
        INDArrayIndex[] index = new INDArrayIndex[5];
        index[0] = NDArrayIndex.all();
        index[1] = NDArrayIndex.all();
        for (int d = 0; d < 3; d++) {
            // One cell: a plain interval (ND4J rejects a strided interval shorter than its stride at the array's end).
            index[d + 2] = grid[d] == 1 ? NDArrayIndex.interval(offset[d], offset[d] + 1)
                    : NDArrayIndex.interval(offset[d], strides[d], offset[d] + (grid[d] - 1) * strides[d] + 1);
        }
        return index;
    }
}
