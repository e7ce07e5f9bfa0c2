package io.github.dpsgd4j.core.noise;

import io.github.dpsgd4j.common.Checks;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * {@link NoiseSource#addGaussian(INDArray, double)}. Portable path: noise is generated on the JVM
 * into a host array and added with {@code INDArray.addi}, which every ND4J backend (CPU and CUDA)
 * implements; views and arbitrary strides are handled by ND4J. Large targets are cut into views of
 * at most {@value #CHUNK} elements along their leading non-unit dimension, to bound host memory.
 * CPU shortcut, guarded by a backend check: a contiguous array on the CPU backend is updated
 * through its host buffer in chunks of {@value #IN_PLACE_CHUNK} elements (same draws, same
 * element order as its buffer), which avoids an off-heap allocation per call.
 */
final class NdArrayNoise {

    /** Largest number of elements generated in one host array (16 MiB of floats). */
    static final long CHUNK = 1L << 22;

    private NdArrayNoise() {
    }

    /** Elements per host chunk of the CPU in-place path (256 KiB of floats). */
    static final int IN_PLACE_CHUNK = 1 << 16;

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
        if (inPlaceApplies(target)) {
            addInPlace(source, target, standardDeviation);
        } else {
            addPortable(source, target, standardDeviation);
        }
    }

    /** The portable path (INDArray operations only); package-private so tests can force it. */
    static void addPortable(NoiseSource source, INDArray target, double standardDeviation) {
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            addChunked(source, target, standardDeviation);
        }
    }

    /**
     * The CPU shortcut applies to arrays of the CPU backend whose elements fill one contiguous
     * region of their buffer (element-wise stride 1): their host memory is then read and written
     * directly, without allocating an off-heap temporary (which costs more than generating the
     * noise). Every other array takes the portable path.
     */
    static boolean inPlaceApplies(INDArray target) {
        return Nd4j.getEnvironment().isCPU()
                && target.rank() > 0
                && target.elementWiseStride() == 1
                && target.offset() + target.length() <= Integer.MAX_VALUE;
    }

    /** Adds noise chunk by chunk through the host buffer of a contiguous CPU array. */
    private static void addInPlace(NoiseSource source, INDArray target, double sd) {
        int offset = (int) target.offset();
        int length = (int) target.length();
        int chunk = Math.min(length, IN_PLACE_CHUNK);
        if (target.dataType() == DataType.FLOAT) {
            FloatBuffer buffer = target.data().asNioFloat();
            float[] noise = new float[chunk];
            float[] values = new float[chunk];
            for (int done = 0; done < length; done += chunk) {
                int n = Math.min(chunk, length - done);
                source.fillGaussian(noise, 0, n, sd);
                buffer.get(offset + done, values, 0, n);
                for (int i = 0; i < n; i++) {
                    values[i] += noise[i];
                }
                buffer.put(offset + done, values, 0, n);
            }
        } else {
            DoubleBuffer buffer = target.data().asNioDouble();
            double[] noise = new double[chunk];
            double[] values = new double[chunk];
            for (int done = 0; done < length; done += chunk) {
                int n = Math.min(chunk, length - done);
                source.fillGaussian(noise, 0, n, sd);
                buffer.get(offset + done, values, 0, n);
                for (int i = 0; i < n; i++) {
                    values[i] += noise[i];
                }
                buffer.put(offset + done, values, 0, n);
            }
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
