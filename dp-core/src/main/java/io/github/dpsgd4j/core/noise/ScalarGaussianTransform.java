package io.github.dpsgd4j.core.noise;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Plain-Java {@link GaussianTransform} ({@code Math.log/sqrt/cos/sin}); the fallback. */
final class ScalarGaussianTransform implements GaussianTransform {

    private static final VarHandle LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final double TWO_PI = 2 * Math.PI;

    @Override
    public void transform(byte[] keystream, int offset, double[] out, int outOffset, int blocks) {
        for (int b = 0; b < blocks; b++) {
            int in = offset + b * BYTES_PER_BLOCK;
            int o = outOffset + b * SAMPLES_PER_BLOCK;
            for (int i = 0; i < 8; i++) {
                long x = (long) LONGS.get(keystream, in + 8 * i);
                long y = (long) LONGS.get(keystream, in + 64 + 8 * i);
                double u1 = ((x >>> 11) + 1) * 0x1.0p-53;
                double theta = (y >>> 11) * 0x1.0p-53 * TWO_PI;
                double r = Math.sqrt(-2.0 * Math.log(u1));
                out[o + i] = r * Math.cos(theta);
                out[o + 8 + i] = r * Math.sin(theta);
            }
        }
    }

    @Override
    public void scaleToFloat(double[] src, int srcOffset, float[] dst, int dstOffset, int length, double scale) {
        for (int i = 0; i < length; i++) {
            dst[dstOffset + i] = (float) (src[srcOffset + i] * scale);
        }
    }

    @Override
    public String kind() {
        return "scalar";
    }
}
