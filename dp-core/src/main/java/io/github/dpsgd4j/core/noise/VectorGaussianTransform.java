package io.github.dpsgd4j.core.noise;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.nio.ByteOrder;

/**
 * {@link GaussianTransform} on the incubating Vector API: the same canonical blocks as
 * {@link ScalarGaussianTransform}, 4 or 8 lanes at a time. Loaded only through
 * {@link io.github.dpsgd4j.core.internal.VectorSupport}; declines (throws
 * {@link UnsupportedOperationException}) when the preferred vector is narrower than 256 bits.
 */
final class VectorGaussianTransform implements GaussianTransform {

    private static final double TWO_PI_OVER_2_53 = 2 * Math.PI * 0x1.0p-53;

    // Static finals, so that the JIT sees constant species (instance fields defeat intrinsification).
    private static final int BITS = DoubleVector.SPECIES_PREFERRED.vectorBitSize();
    private static final VectorSpecies<Double> DOUBLES = BITS >= 512 ? DoubleVector.SPECIES_512 : DoubleVector.SPECIES_256;
    private static final VectorSpecies<Long> LONGS = BITS >= 512 ? LongVector.SPECIES_512 : LongVector.SPECIES_256;
    private static final VectorSpecies<Float> HALF_FLOATS = BITS >= 512 ? FloatVector.SPECIES_256 : FloatVector.SPECIES_128;

    VectorGaussianTransform() {
        if (BITS < 256) {
            throw new UnsupportedOperationException("preferred vector width " + BITS + " bits");
        }
    }

    @Override
    public void transform(byte[] keystream, int offset, double[] out, int outOffset, int blocks) {
        int lanes = DOUBLES.length();
        for (int b = 0; b < blocks; b++) {
            int in = offset + b * BYTES_PER_BLOCK;
            int o = outOffset + b * SAMPLES_PER_BLOCK;
            for (int h = 0; h < 8; h += lanes) {
                LongVector x = LongVector.fromByteArray(LONGS, keystream, in + 8 * h, ByteOrder.LITTLE_ENDIAN);
                LongVector y = LongVector.fromByteArray(LONGS, keystream, in + 64 + 8 * h,
                        ByteOrder.LITTLE_ENDIAN);
                DoubleVector u1 = ((DoubleVector) x.lanewise(VectorOperators.LSHR, 11).add(1L)
                        .convert(VectorOperators.L2D, 0)).mul(0x1.0p-53);
                DoubleVector theta = ((DoubleVector) y.lanewise(VectorOperators.LSHR, 11)
                        .convert(VectorOperators.L2D, 0)).mul(TWO_PI_OVER_2_53);
                DoubleVector r = u1.lanewise(VectorOperators.LOG).mul(-2.0).lanewise(VectorOperators.SQRT);
                r.mul(theta.lanewise(VectorOperators.COS)).intoArray(out, o + h);
                r.mul(theta.lanewise(VectorOperators.SIN)).intoArray(out, o + 8 + h);
            }
        }
    }

    @Override
    public void scaleToFloat(double[] src, int srcOffset, float[] dst, int dstOffset, int length, double scale) {
        int lanes = DOUBLES.length();
        int bound = length - length % lanes;
        int i = 0;
        for (; i < bound; i += lanes) {
            ((FloatVector) DoubleVector.fromArray(DOUBLES, src, srcOffset + i).mul(scale)
                    .convertShape(VectorOperators.D2F, HALF_FLOATS, 0)).intoArray(dst, dstOffset + i);
        }
        for (; i < length; i++) {
            dst[dstOffset + i] = (float) (src[srcOffset + i] * scale);
        }
    }

    @Override
    public String kind() {
        return "vector";
    }
}
