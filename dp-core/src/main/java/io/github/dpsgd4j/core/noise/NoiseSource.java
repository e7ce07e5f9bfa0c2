package io.github.dpsgd4j.core.noise;

import io.github.dpsgd4j.common.Checks;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A source of Gaussian noise and uniform random bits for DP-SGD.
 *
 * <p><b>Choosing a source.</b> {@link #secure()} is the default and the only choice for a run whose
 * privacy guarantee matters: an AES-128-CTR keystream (a cryptographically secure generator, run
 * with the AES-NI/VAES instructions through the JDK's own JCE provider) keyed from the operating
 * system through {@link java.security.SecureRandom} and re-keyed every 2<sup>30</sup> keystream
 * bytes. {@link #seeded(long)} uses the same generator keyed deterministically from a 64-bit
 * seed: statistically identical and reproducible, but anyone who knows or guesses the seed can
 * subtract the noise, so {@link #isSecure()} is {@code false} and no privacy claim may rest on it.
 * The seed never appears in {@link Object#toString()}. Never use ND4J's random generator (its
 * {@code randn} factory or its global {@code Random}) for noise: it is not cryptographic, it is reseeded from the model
 * configuration, and it clamps Gaussians at about 4.8 standard deviations.
 *
 * <p><b>Gaussians.</b> Standard normal draws come from the Box&ndash;Muller transform
 * (Box and Muller 1958) of 53-bit uniforms, computed in double, so tails are exact to
 * 8.57 standard deviations; the transform has no branch that depends on the values drawn.
 * Outputs form a stream: with {@link NoiseHardening#NONE}, filling 10 elements then 6 gives the
 * same values as filling 16 at once. An optional {@link NoiseHardening} mitigates floating-point
 * attacks (Mironov 2012; Holohan and Braghin 2021) at about five times the cost.
 *
 * <p><b>Standard deviations.</b> Every {@code standardDeviation} argument must be finite and
 * {@code >= 0}; NaN and infinities are rejected with an {@link IllegalArgumentException} naming the
 * parameter. A standard deviation of 0 writes (or adds) zeros and consumes no randomness.
 *
 * <p><b>Thread safety.</b> The implementations returned by the factories are thread-safe: every
 * method holds the instance's lock while it reads the keystream, so two threads never receive the
 * same draws (which would be a privacy failure, not just a statistical one). Throughput does not
 * scale with threads sharing one instance; give each thread its own source with {@link #split()}.
 * Instances are not serializable and their state cannot be saved.
 */
public interface NoiseSource {

    /**
     * The default source: AES-128-CTR keyed (and re-keyed every 2<sup>30</sup> keystream bytes)
     * from the operating system via {@link java.security.SecureRandom}, no hardening.
     */
    static NoiseSource secure() {
        return secure(NoiseHardening.NONE);
    }

    /**
     * A secure source with the given floating-point hardening.
     *
     * @param hardening not null
     */
    static NoiseSource secure(NoiseHardening hardening) {
        return AesCtrNoiseSource.secure(Checks.notNull("hardening", hardening));
    }

    /**
     * A reproducible, <b>not secure</b> source for experiments and tests: the same generator as
     * {@link #secure()}, keyed from SHA-256 of the seed. Two sources with the same seed and the
     * same sequence of calls produce the same values (bit for bit on the same JVM configuration;
     * across JVMs with and without the Vector API, to within about one ulp).
     *
     * @param seed any value; never logged or printed
     */
    static NoiseSource seeded(long seed) {
        return seeded(seed, NoiseHardening.NONE);
    }

    /**
     * A reproducible, not secure source with the given hardening (useful to test hardened runs).
     *
     * @param seed      any value; never logged or printed
     * @param hardening not null
     */
    static NoiseSource seeded(long seed, NoiseHardening hardening) {
        return AesCtrNoiseSource.seeded(seed, Checks.notNull("hardening", hardening));
    }

    /**
     * A secure source keyed from 32 bytes of key material (the AES-128 key, then the initial counter
     * block) that the caller drew from a secure source, for streams that must be reproduced from a
     * key: e.g. a Spark driver derives one key per (step, partition) from its secure source, so a
     * retried task on an executor redraws exactly the same Poisson sample. As secure as the key is
     * secret and uniformly random; {@link #isSecure()} is {@code true}. Never re-keyed (a key
     * serves at most 2<sup>30</sup> keystream bytes: use a fresh key for more).
     *
     * @param keyMaterial exactly 32 bytes; not modified (copied)
     * @throws IllegalArgumentException if {@code keyMaterial} is null or not 32 bytes long
     */
    static NoiseSource keyed(byte[] keyMaterial) {
        Checks.notNull("keyMaterial", keyMaterial);
        if (keyMaterial.length != 32) {
            throw new IllegalArgumentException("keyMaterial must hold 32 bytes (AES-128 key and counter block), got "
                    + keyMaterial.length);
        }
        return AesCtrNoiseSource.keyed(keyMaterial);
    }

    /**
     * Whether this source is keyed from operating-system entropy, i.e. fit for a DP guarantee.
     * {@code false} for {@link #seeded(long)} sources.
     */
    boolean isSecure();

    /** The floating-point hardening applied to Gaussian draws. */
    NoiseHardening hardening();

    /** The next standard normal draw N(0, 1) (with hardening: the hardened combination). */
    double nextGaussian();

    /**
     * Overwrites {@code out[offset .. offset + length)} with independent N(0, sd<sup>2</sup>) draws,
     * computed in double and rounded to float.
     *
     * @param out               not null; only the given range is modified
     * @param offset            first index written, {@code >= 0}
     * @param length            number of elements written, {@code >= 0}, {@code offset + length <= out.length}
     * @param standardDeviation sd of every element, finite and {@code >= 0}
     */
    void fillGaussian(float[] out, int offset, int length, double standardDeviation);

    /**
     * Overwrites {@code out[offset .. offset + length)} with independent N(0, sd<sup>2</sup>) draws.
     *
     * @param out               not null; only the given range is modified
     * @param offset            first index written, {@code >= 0}
     * @param length            number of elements written, {@code >= 0}, {@code offset + length <= out.length}
     * @param standardDeviation sd of every element, finite and {@code >= 0}
     */
    void fillGaussian(double[] out, int offset, int length, double standardDeviation);

    /**
     * Adds independent N(0, sd<sup>2</sup>) draws, in place, to every element of {@code target}.
     *
     * <p>{@code target} may be of data type FLOAT or DOUBLE, of any rank and shape, a view, and
     * non-contiguous; elements outside the view are not modified. The noise is generated on the
     * JVM and added with INDArray operations only (in host chunks of at most 2<sup>22</sup>
     * elements), so this works unchanged on the CUDA backend at the cost of one host-to-device
     * copy of the noise. On the CPU backend, a target whose elements fill one contiguous region of
     * its buffer is instead updated through its host memory, which avoids an off-heap temporary
     * (measured about three times faster); the draws are the same. Which draw lands on which
     * element is deterministic for a given shape, ordering and stride pattern. ND4J's RNG is not used.
     *
     * @param target            not null, data type FLOAT or DOUBLE; modified in place
     * @param standardDeviation sd of every element, finite and {@code >= 0}
     * @throws IllegalArgumentException if {@code target} is null or of another data type
     */
    default void addGaussian(INDArray target, double standardDeviation) {
        NdArrayNoise.addGaussian(this, target, standardDeviation);
    }

    /** The next 64 uniformly distributed random bits. */
    long nextLong();

    /**
     * Overwrites {@code out[offset .. offset + length)} with uniformly distributed 64-bit values,
     * the same values {@code length} calls of {@link #nextLong()} would return.
     *
     * @param out    not null; only the given range is modified
     * @param offset first index written, {@code >= 0}
     * @param length number of values, {@code >= 0}, {@code offset + length <= out.length}
     */
    default void nextLongs(long[] out, int offset, int length) {
        Checks.notNull("out", out);
        Checks.arrayRange("out", out.length, offset, length);
        for (int i = 0; i < length; i++) {
            out[offset + i] = nextLong();
        }
    }

    /**
     * A uniform double in {@code [0, 1)} with 53 random bits: {@code (nextLong() >>> 11) * 2^-53}.
     */
    default double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /**
     * A new, independent source of the same kind and hardening, for use by another thread.
     * A secure source's split is keyed afresh from the operating system; a seeded source's split
     * is keyed from 32 bytes of this source's keystream, so splitting is itself reproducible.
     */
    NoiseSource split();
}
