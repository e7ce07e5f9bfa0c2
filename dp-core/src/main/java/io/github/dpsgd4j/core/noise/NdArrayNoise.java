package io.github.dpsgd4j.core.noise;

import io.github.dpsgd4j.accounting.Checks;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Portable {@link NoiseSource#addGaussian(INDArray, double)}: noise is generated on the JVM into a
 * host array and added with {@code INDArray.addi}, which every ND4J backend (CPU and CUDA)
 * implements; views and arbitrary strides are handled by ND4J. Large targets are cut into views of
 * at most {@value #CHUNK} elements along their leading non-unit dimension, to bound host memory.
 */
final class NdArrayNoise {

    /** Largest number of elements generated in one host array (16 MiB of floats). */
    static final long CHUNK = 1L << 22;

    private NdArrayNoise() {
    }

    static void addGaussian(NoiseSource source, INDArray target, double standardDeviation) {
        Checks.notNull("target", target);
        DataType type = target.dataType();
        if (type != DataType.FLOAT && type != DataType.DOUBLE) {
            throw new IllegalArgumentException("target must have data type FLOAT or DOUBLE, got " + type);
        }
        Checks.finiteNonNegative("standardDeviation", standardDeviation);
        if (standardDeviation == 0 || target.isEmpty() || target.length() == 0) {
            return;
        }
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            addChunked(source, target, standardDeviation);
        }
    }

    private static void addChunked(NoiseSource source, INDArray target, double sd) {
        long length = target.length();
        if (length <= CHUNK) {
            addDirect(source, target, sd, (int) length);
            return;
        }
        int rank = target.rank();
        int dim = 0;
        while (target.size(dim) == 1) {
            dim++;
        }
        long size = target.size(dim);
        long perIndex = length / size;
        long step = Math.max(1, CHUNK / perIndex);
        for (long start = 0; start < size; start += step) {
            INDArrayIndex[] index = new INDArrayIndex[rank];
            for (int d = 0; d < rank; d++) {
                index[d] = NDArrayIndex.all();
            }
            index[dim] = NDArrayIndex.interval(start, Math.min(size, start + step));
            addChunked(source, target.get(index), sd);
        }
    }

    private static void addDirect(NoiseSource source, INDArray target, double sd, int length) {
        if (target.rank() == 0) {
            target.addi(source.nextGaussian() * sd);
            return;
        }
        INDArray noise;
        if (target.dataType() == DataType.FLOAT) {
            float[] values = new float[length];
            source.fillGaussian(values, 0, length, sd);
            noise = Nd4j.create(values, target.shape(), 'c');
        } else {
            double[] values = new double[length];
            source.fillGaussian(values, 0, length, sd);
            noise = Nd4j.create(values, target.shape(), 'c');
        }
        target.addi(noise);
    }
}
