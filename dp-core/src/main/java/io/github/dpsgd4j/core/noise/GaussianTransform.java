package io.github.dpsgd4j.core.noise;

import io.github.dpsgd4j.core.internal.VectorSupport;

import java.lang.invoke.MethodHandles;

/**
 * The Box&ndash;Muller transform (Box and Muller 1958, "A note on the generation of random normal
 * deviates", Ann. Math. Statist. 29(2):610&ndash;611) applied to blocks of keystream.
 *
 * <p><b>Canonical block.</b> A block is {@value #WORDS_PER_BLOCK} little-endian 64-bit words
 * {@code x[0..7], y[0..7]} ({@value #BYTES_PER_BLOCK} bytes) and yields 16 standard normal doubles:
 * for {@code i} in {@code 0..7},
 * <pre>
 *   u1 = ((x[i] &gt;&gt;&gt; 11) + 1) * 2^-53      in (0, 1]   (53-bit uniform, never 0)
 *   u2 = (y[i] &gt;&gt;&gt; 11) * 2^-53            in [0, 1)
 *   r  = sqrt(-2 ln u1),  theta = 2 pi u2
 *   out[i] = r cos(theta),  out[8 + i] = r sin(theta)
 * </pre>
 * All arithmetic is in double. The largest radius is {@code sqrt(106 ln 2) = 8.57}, so tails are
 * exact out to 8.57 standard deviations (a mass below 1e-17 is cut), unlike 24- or 32-bit uniforms
 * (cut at 5.8 and 6.7) or ND4J's clamp at 4.8. The transform has no branch that depends on the
 * values drawn. The block layout is fixed and independent of the SIMD width, so a seeded stream
 * is the same on every machine up to the last-bit differences of {@code log/sin/cos} between the
 * plain-Java and the Vector API implementation (both within about 1 ulp).
 *
 * <p>Implementations are stateless and thread-safe.
 */
interface GaussianTransform {

    /** 64-bit words consumed per block. */
    int WORDS_PER_BLOCK = 16;
    /** Keystream bytes consumed per block. */
    int BYTES_PER_BLOCK = WORDS_PER_BLOCK * Long.BYTES;
    /** Standard normal samples produced per block. */
    int SAMPLES_PER_BLOCK = 16;

    /**
     * Transforms {@code blocks} canonical blocks of {@code keystream} starting at byte
     * {@code offset} into {@code 16 * blocks} standard normal doubles at {@code out[outOffset..]}.
     * The keystream is not modified.
     */
    void transform(byte[] keystream, int offset, double[] out, int outOffset, int blocks);

    /**
     * {@code dst[dstOffset + i] = (float) (src[srcOffset + i] * scale)} for {@code i < length}: each
     * product is computed in double and rounded once to float.
     */
    void scaleToFloat(double[] src, int srcOffset, float[] dst, int dstOffset, int length, double scale);

    /** Short name for diagnostics ({@code "vector"} or {@code "scalar"}). */
    String kind();

    /** The fastest implementation this JVM supports: the Vector API one if enabled, else plain Java. */
    static GaussianTransform best() {
        return VectorSupport.load(MethodHandles.lookup(),
                        "io.github.dpsgd4j.core.noise.VectorGaussianTransform", GaussianTransform.class)
                .orElseGet(ScalarGaussianTransform::new);
    }
}
