package io.github.dpsgd4j.core.noise;

import jdk.incubator.vector.DoubleVector;
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

    private final VectorSpecies<Double> doubles;
    private final VectorSpecies<Long> longs;

    VectorGaussianTransform() {
        int bits = DoubleVector.SPECIES_PREFERRED.vectorBitSize();
        if (bits < 256) {
            throw new UnsupportedOperationException("preferred vector width " + bits + " bits");
        }
        doubles = bits >= 512 ? DoubleVector.SPECIES_512 : DoubleVector.SPECIES_256;
        longs = bits >= 512 ? LongVector.SPECIES_512 : LongVector.SPECIES_256;
    }

    @Override
    public void transform(byte[] keystream, int offset, double[] out, int outOffset, int blocks) {
        int lanes = doubles.length();
        for (int b = 0; b < blocks; b++) {
            int in = offset + b * BYTES_PER_BLOCK;
            int o = outOffset + b * SAMPLES_PER_BLOCK;
            for (int h = 0; h < 8; h += lanes) {
                LongVector x = LongVector.fromByteArray(longs, keystream, in + 8 * h, ByteOrder.LITTLE_ENDIAN);
                LongVector y = LongVector.fromByteArray(longs, keystream, in + 64 + 8 * h,
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
    public String kind() {
        return "vector";
    }
}
