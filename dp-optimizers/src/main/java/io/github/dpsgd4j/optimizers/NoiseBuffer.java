package io.github.dpsgd4j.optimizers;

import io.github.dpsgd4j.core.noise.NoiseSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.List;

/**
 * Adds one step's Gaussian noise to the trainable coordinates of a flat gradient without
 * allocating: the samples are drawn on the JVM into a host array that lives as long as the
 * trainer, copied once into an ND4J array (a host-to-device copy on CUDA), and added to the
 * gradient ranges. ND4J's own random generator is never involved.
 *
 * <p>Not thread-safe; owned by one trainer.
 */
final class NoiseBuffer {

    private final List<long[]> ranges;
    private final int length;
    private final float[] hostFloats;
    private final double[] hostDoubles;
    private final INDArray samples;

    NoiseBuffer(List<long[]> ranges, DataType dataType) {
        this.ranges = ranges;
        long total = 0;
        for (long[] r : ranges) {
            total += r[1] - r[0];
        }
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("more than " + Integer.MAX_VALUE + " trainable parameters: " + total);
        }
        this.length = (int) total;
        boolean isDouble = dataType == DataType.DOUBLE;
        this.hostFloats = isDouble ? null : new float[length];
        this.hostDoubles = isDouble ? new double[length] : null;
        this.samples = Nd4j.create(isDouble ? DataType.DOUBLE : DataType.FLOAT, length);
    }

    /** {@code flat[trainable] += N(0, standardDeviation^2)}, i.i.d. per coordinate, from {@code noise}. */
    void addTo(INDArray flat, NoiseSource noise, double standardDeviation) {
        if (length == 0) {
            return;
        }
        if (hostDoubles != null) {
            noise.fillGaussian(hostDoubles, 0, length, standardDeviation);
            samples.data().setData(hostDoubles);
        } else {
            noise.fillGaussian(hostFloats, 0, length, standardDeviation);
            samples.data().setData(hostFloats);
        }
        long offset = 0;
        for (long[] r : ranges) {
            long n = r[1] - r[0];
            INDArray target = flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(r[0], r[1]));
            target.addi(samples.get(NDArrayIndex.interval(offset, offset + n)).castTo(target.dataType()));
            offset += n;
        }
    }
}
