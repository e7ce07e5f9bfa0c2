package io.github.dpsgd4j.core.clip;

import io.github.dpsgd4j.common.Checks;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.floating.SquaredNorm;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * The portable (INDArray-only, so CUDA-capable) path of {@link ClipAndSum}: its accuracy contract
 * (upper-bound squared norms, float factors rounded toward zero) is stated there; this class only
 * implements it with ND4J operations and validates the INDArray arguments.
 */
final class PortableClipAndSum {

    private PortableClipAndSum() {
    }

    /** See {@link ClipAndSum#clipAndSum(INDArray, double, NonFiniteNormPolicy, INDArray)}. */
    static ClipStats clipAndSum(INDArray g, double l2NormClip, NonFiniteNormPolicy policy, INDArray out) {
        checkNdMatrix(g);
        Checks.positive("l2NormClip", l2NormClip);
        Checks.notNull("policy", policy);
        long params = g.size(1);
        checkNdOut(out, g.dataType(), params);
        int batch = (int) g.size(0);
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            if (batch == 0 || params == 0) {
                out.assign(0);
                return new ClipStats(batch, 0, 0, 0);
            }
            ClipFactors factors = ClipFactors.fromSquaredNorms(portableSquaredNorms(g), l2NormClip, policy);
            double[] f = factors.factors();
            int[] rows = new int[batch - factors.nonFiniteCount()];
            int n = 0;
            for (int i = 0; i < batch; i++) {
                if (!factors.isSkipped(i)) {
                    rows[n++] = i;
                }
            }
            if (n == 0) {
                out.assign(0);
                return factors.stats();
            }
            INDArray active = n == batch ? g : g.getRows(rows);
            INDArray weights;
            if (g.dataType() == DataType.FLOAT) {
                float[] w = new float[n];
                for (int t = 0; t < n; t++) {
                    w[t] = ClipFactors.toFloatFactor(f[rows[t]]);
                }
                weights = Nd4j.create(w, new long[] {1, n}, 'c');
            } else {
                double[] w = new double[n];
                for (int t = 0; t < n; t++) {
                    w[t] = f[rows[t]];
                }
                weights = Nd4j.create(w, new long[] {1, n}, 'c');
            }
            INDArray sum = weights.mmul(active);
            out.assign(sum.reshape(out.shape()));
            return factors.stats();
        }
    }

    /** See {@link ClipAndSum#squaredRowNorms(INDArray)}. */
    static double[] squaredRowNorms(INDArray g) {
        checkNdMatrix(g);
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            return portableSquaredNorms(g);
        }
    }

    private static double[] portableSquaredNorms(INDArray g) {
        int batch = (int) g.size(0);
        long params = g.size(1);
        double[] result = new double[batch];
        if (batch == 0 || params == 0) {
            return result;
        }
        if (params == 1) {
            double[] values = g.castTo(DataType.DOUBLE).reshape(batch).toDoubleVector();
            for (int i = 0; i < batch; i++) {
                result[i] = values[i] * values[i];
            }
            return result;
        }
        if (g.dataType() == DataType.DOUBLE) {
            double[] sums = Nd4j.getExecutioner().exec(new SquaredNorm(g, 1)).reshape(batch).toDoubleVector();
            double bound = (params + 4.0) * 0x1.0p-52;
            for (int i = 0; i < batch; i++) {
                result[i] = inflate(sums[i], bound);
            }
            return result;
        }
        long block = ClipAndSum.PORTABLE_BLOCK;
        long fullBlocks = Math.max(0, params / block - (params % block > 0 ? 1 : 0));
        long tailColumns = params - fullBlocks * block;
        long[] stride = g.stride();
        DataBuffer buffer = g.data();
        long offset = g.offset();
        double[] sums = new double[batch];
        if (fullBlocks > 0) {
            INDArray view = Nd4j.create(buffer, new long[] {batch, fullBlocks, block},
                    new long[] {stride[0], block * stride[1], stride[1]}, offset, 'c', DataType.FLOAT);
            INDArray partial = Nd4j.getExecutioner().exec(new SquaredNorm(view, 2));
            double[] blockSums = partial.castTo(DataType.DOUBLE).sum(1).reshape(batch).toDoubleVector();
            System.arraycopy(blockSums, 0, sums, 0, batch);
        }
        if (tailColumns > 0) {
            INDArray tail = Nd4j.create(buffer, new long[] {batch, tailColumns}, new long[] {stride[0], stride[1]},
                    offset + fullBlocks * block * stride[1], 'c', DataType.FLOAT);
            double[] tailSums = Nd4j.getExecutioner().exec(new SquaredNorm(tail, 1)).castTo(DataType.DOUBLE)
                    .reshape(batch).toDoubleVector();
            for (int i = 0; i < batch; i++) {
                sums[i] += tailSums[i];
            }
        }
        // Float blocks of at most 2*block - 1 terms: relative error below (2*block + 1) 2^-24;
        // double sums over at most params/block + 1 terms: below (params/block + 4) 2^-53.
        double bound = (2.0 * block + 2) * 0x1.0p-24 + (fullBlocks + 4.0) * 0x1.0p-52;
        for (int i = 0; i < batch; i++) {
            result[i] = inflate(sums[i], bound);
        }
        return result;
    }

    /** {@code s * (1 + relativeBound)} rounded up, for finite {@code s > 0}; other values unchanged. */
    private static double inflate(double s, double relativeBound) {
        return (s > 0 && s != Double.POSITIVE_INFINITY) ? Math.nextUp(s * (1 + relativeBound)) : s;
    }

    private static void checkNdMatrix(INDArray g) {
        Checks.notNull("g", g);
        if (g.rank() != 2) {
            throw new IllegalArgumentException("g must be a [batch, params] matrix (rank 2), got shape "
                    + Arrays.toString(g.shape()));
        }
        DataType type = g.dataType();
        if (type != DataType.FLOAT && type != DataType.DOUBLE) {
            throw new IllegalArgumentException("g must have data type FLOAT or DOUBLE, got " + type);
        }
        if (g.size(0) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("g must have at most " + Integer.MAX_VALUE + " rows, got "
                    + g.size(0));
        }
    }

    private static void checkNdOut(INDArray out, DataType type, long params) {
        Checks.notNull("out", out);
        long[] shape = out.shape();
        boolean ok = (shape.length == 1 && shape[0] == params)
                || (shape.length == 2 && shape[0] == 1 && shape[1] == params);
        if (!ok) {
            throw new IllegalArgumentException("out must have shape [" + params + "] or [1, " + params
                    + "] (params = g.size(1)), got " + Arrays.toString(shape));
        }
        if (out.dataType() != type) {
            throw new IllegalArgumentException("out must have the data type of g (" + type + "), got "
                    + out.dataType());
        }
    }
}
