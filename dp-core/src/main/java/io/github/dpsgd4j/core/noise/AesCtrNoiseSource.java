package io.github.dpsgd4j.core.noise;

import io.github.dpsgd4j.common.Checks;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@link NoiseSource} on an AES-128-CTR keystream (JCE {@code AES/CTR/NoPadding}, hardware AES on
 * x86-64 and AArch64): the keystream is cut into canonical {@link GaussianTransform} blocks for
 * Gaussians and into little-endian 64-bit words for {@link #nextLong()}.
 *
 * <p>The key and the initial counter block come from {@link SecureRandom} (secure sources, re-keyed
 * every {@value #REKEY_BYTES} keystream bytes, so the keystream of one key stays far below the
 * 2<sup>64</sup>-block birthday bound of AES) or from SHA-256 of a domain label and the seed
 * (seeded sources, never re-keyed). Thread-safe: every state-touching method is synchronized.
 */
final class AesCtrNoiseSource implements NoiseSource {

    /** Keystream bytes per Gaussian refill: 64 blocks, 1,024 samples, 8 KiB (fits L1). */
    static final int GAUSSIAN_CHUNK_BYTES = 8192;
    /** Keystream bytes per uniform refill: 128 words. */
    static final int UNIFORM_CHUNK_BYTES = 1024;
    /** A secure source takes a fresh key from the operating system after this many bytes. */
    static final long REKEY_BYTES = 1L << 30;

    private static final String TRANSFORMATION = "AES/CTR/NoPadding";
    private static final byte[] SEED_DOMAIN =
            "io.github.dpsgd4j.core.noise.NoiseSource.seeded/v1".getBytes(StandardCharsets.US_ASCII);
    private static final VarHandle LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final byte[] ZEROS = new byte[GAUSSIAN_CHUNK_BYTES];

    /** Operating-system entropy, created on first use of a secure source. */
    private static final class Entropy {
        static final SecureRandom RANDOM = new SecureRandom();
    }

    private final boolean secure;
    /** Whether the key is replaced from the operating system every REKEY_BYTES (false: a caller's key, used once). */
    private final boolean rekeys;
    private final NoiseHardening hardening;
    private final GaussianTransform transform;
    private final Cipher cipher;
    private final byte[] keystream = new byte[GAUSSIAN_CHUNK_BYTES];
    private final double[] gaussians = new double[GAUSSIAN_CHUNK_BYTES / Long.BYTES];
    private int gaussianPosition = gaussians.length;
    private final byte[] uniforms = new byte[UNIFORM_CHUNK_BYTES];
    private int uniformPosition = uniforms.length;
    private long bytesSinceKey;

    private AesCtrNoiseSource(boolean secure, NoiseHardening hardening, GaussianTransform transform,
                              byte[] keyAndIv) {
        this(secure, hardening, transform, keyAndIv, secure);
    }

    private AesCtrNoiseSource(boolean secure, NoiseHardening hardening, GaussianTransform transform,
                              byte[] keyAndIv, boolean rekeys) {
        this.secure = secure;
        this.rekeys = rekeys;
        this.hardening = hardening;
        this.transform = transform;
        try {
            this.cipher = Cipher.getInstance(TRANSFORMATION);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(TRANSFORMATION + " is not available in this JVM", e);
        }
        rekey(keyAndIv);
    }

    static AesCtrNoiseSource secure(NoiseHardening hardening) {
        return new AesCtrNoiseSource(true, hardening, Transforms.BEST, freshKeyMaterial());
    }

    static AesCtrNoiseSource seeded(long seed, NoiseHardening hardening) {
        byte[] seedBytes = new byte[Long.BYTES];
        LONGS.set(seedBytes, 0, seed);
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(SEED_DOMAIN);
            byte[] material = sha256.digest(seedBytes);
            return new AesCtrNoiseSource(false, hardening, Transforms.BEST, material);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        } finally {
            Arrays.fill(seedBytes, (byte) 0);
        }
    }

    /**
     * A secure source keyed from caller-supplied secret key material, never re-keyed (re-keying from
     * the operating system would break the reproducibility the caller keys it for).
     *
     * @param keyAndIv 32 bytes: AES key then initial counter block; not modified
     */
    static AesCtrNoiseSource keyed(byte[] keyAndIv) {
        return new AesCtrNoiseSource(true, NoiseHardening.NONE, Transforms.BEST, keyAndIv.clone(), false);
    }

    /**
     * A source with explicit key material and transform, for tests that need a deterministic
     * secure-path instance or a specific transform.
     *
     * @param keyAndIv 32 bytes: AES key then initial counter block; not modified
     */
    static AesCtrNoiseSource withKey(byte[] keyAndIv, boolean secure, NoiseHardening hardening,
                                     GaussianTransform transform) {
        return new AesCtrNoiseSource(secure, hardening, transform, keyAndIv.clone());
    }

    private static byte[] freshKeyMaterial() {
        byte[] material = new byte[32];
        Entropy.RANDOM.nextBytes(material);
        return material;
    }

    /** Installs key = material[0..16), counter = material[16..32), then erases {@code material}. */
    private void rekey(byte[] material) {
        try {
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(material, 0, 16, "AES"),
                    new IvParameterSpec(material, 16, 16));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot initialise " + TRANSFORMATION, e);
        } finally {
            Arrays.fill(material, (byte) 0);
        }
        bytesSinceKey = 0;
    }

    /** Writes {@code length} keystream bytes to {@code out[0..length)}, re-keying a secure source first if due. */
    private void keystream(byte[] out, int length) {
        if (secure && bytesSinceKey >= REKEY_BYTES) {
            if (!rekeys) {
                throw new IllegalStateException("a keyed noise source serves at most " + REKEY_BYTES
                        + " keystream bytes: derive a fresh key for more");
            }
            rekey(freshKeyMaterial());
        }
        try {
            int written = cipher.update(ZEROS, 0, length, out, 0);
            if (written != length) {
                throw new IllegalStateException(TRANSFORMATION + " returned " + written + " of " + length + " bytes");
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(TRANSFORMATION + " failed", e);
        }
        bytesSinceKey += length;
    }

    private void refillGaussians() {
        keystream(keystream, GAUSSIAN_CHUNK_BYTES);
        transform.transform(keystream, 0, gaussians, 0,
                GAUSSIAN_CHUNK_BYTES / GaussianTransform.BYTES_PER_BLOCK);
        gaussianPosition = 0;
    }

    /** One standard normal Box-Muller draw from the stream. */
    private double nextStandard() {
        if (gaussianPosition == gaussians.length) {
            refillGaussians();
        }
        return gaussians[gaussianPosition++];
    }

    /** Four consecutive draws (always from four distinct Box-Muller pairs), summed and halved. */
    private double nextSumOfFour() {
        double a = nextStandard();
        double b = nextStandard();
        double c = nextStandard();
        double d = nextStandard();
        return ((a + b) + (c + d)) * 0.5;
    }

    @Override
    public boolean isSecure() {
        return secure;
    }

    @Override
    public NoiseHardening hardening() {
        return hardening;
    }

    @Override
    public synchronized double nextGaussian() {
        if (hardening == NoiseHardening.SUM_OF_FOUR) {
            nextStandard();
            return nextSumOfFour();
        }
        return nextStandard();
    }

    @Override
    public synchronized void fillGaussian(float[] out, int offset, int length, double standardDeviation) {
        Checks.notNull("out", out);
        Checks.arrayRange("out", out.length, offset, length);
        Checks.finiteNonNegative("standardDeviation", standardDeviation);
        if (standardDeviation == 0) {
            Arrays.fill(out, offset, offset + length, 0f);
            return;
        }
        if (length == 0) {
            return;
        }
        if (hardening == NoiseHardening.SUM_OF_FOUR) {
            fillHardened(out, null, offset, length, standardDeviation);
            return;
        }
        int done = 0;
        while (done < length) {
            if (gaussianPosition == gaussians.length) {
                refillGaussians();
            }
            int n = Math.min(length - done, gaussians.length - gaussianPosition);
            transform.scaleToFloat(gaussians, gaussianPosition, out, offset + done, n, standardDeviation);
            gaussianPosition += n;
            done += n;
        }
    }

    @Override
    public synchronized void fillGaussian(double[] out, int offset, int length, double standardDeviation) {
        Checks.notNull("out", out);
        Checks.arrayRange("out", out.length, offset, length);
        Checks.finiteNonNegative("standardDeviation", standardDeviation);
        if (standardDeviation == 0) {
            Arrays.fill(out, offset, offset + length, 0.0);
            return;
        }
        if (length == 0) {
            return;
        }
        if (hardening == NoiseHardening.SUM_OF_FOUR) {
            fillHardened(null, out, offset, length, standardDeviation);
            return;
        }
        int done = 0;
        while (done < length) {
            if (gaussianPosition == gaussians.length) {
                refillGaussians();
            }
            int n = Math.min(length - done, gaussians.length - gaussianPosition);
            int p = gaussianPosition;
            int o = offset + done;
            for (int k = 0; k < n; k++) {
                out[o + k] = gaussians[p + k] * standardDeviation;
            }
            gaussianPosition += n;
            done += n;
        }
    }

    /** SUM_OF_FOUR fill of exactly one of {@code floats} or {@code doubles}. */
    private void fillHardened(float[] floats, double[] doubles, int offset, int length, double sd) {
        nextStandard(); // the discarded draw of this call
        double scale = 0.5 * sd;
        int done = 0;
        while (done < length) {
            int whole = (gaussians.length - gaussianPosition) / 4;
            if (whole == 0) {
                // A group of four straddles a refill: take it draw by draw.
                double v = nextSumOfFour() * sd;
                if (floats != null) {
                    floats[offset + done] = (float) v;
                } else {
                    doubles[offset + done] = v;
                }
                done++;
                continue;
            }
            int n = Math.min(length - done, whole);
            int p = gaussianPosition;
            int o = offset + done;
            double[] g = gaussians;
            if (floats != null) {
                for (int k = 0; k < n; k++, p += 4) {
                    floats[o + k] = (float) (((g[p] + g[p + 1]) + (g[p + 2] + g[p + 3])) * scale);
                }
            } else {
                for (int k = 0; k < n; k++, p += 4) {
                    doubles[o + k] = ((g[p] + g[p + 1]) + (g[p + 2] + g[p + 3])) * scale;
                }
            }
            gaussianPosition = p;
            done += n;
        }
    }

    @Override
    public synchronized long nextLong() {
        if (uniformPosition == uniforms.length) {
            keystream(uniforms, UNIFORM_CHUNK_BYTES);
            uniformPosition = 0;
        }
        long value = (long) LONGS.get(uniforms, uniformPosition);
        uniformPosition += Long.BYTES;
        return value;
    }

    @Override
    public synchronized void nextLongs(long[] out, int offset, int length) {
        Checks.notNull("out", out);
        Checks.arrayRange("out", out.length, offset, length);
        for (int i = 0; i < length; i++) {
            if (uniformPosition == uniforms.length) {
                keystream(uniforms, UNIFORM_CHUNK_BYTES);
                uniformPosition = 0;
            }
            out[offset + i] = (long) LONGS.get(uniforms, uniformPosition);
            uniformPosition += Long.BYTES;
        }
    }

    @Override
    public synchronized NoiseSource split() {
        if (secure) {
            return new AesCtrNoiseSource(true, hardening, transform, freshKeyMaterial());
        }
        byte[] material = new byte[32];
        for (int i = 0; i < 4; i++) {
            LONGS.set(material, 8 * i, nextLong());
        }
        return new AesCtrNoiseSource(false, hardening, transform, material);
    }

    /** Keystream bytes produced under the current key (for tests of the re-keying policy). */
    synchronized long keystreamBytesSinceKey() {
        return bytesSinceKey;
    }

    /** Name of the Box-Muller implementation in use ({@code "vector"} or {@code "scalar"}). */
    String transformKind() {
        return transform.kind();
    }

    @Override
    public String toString() {
        String keying = secure
                ? "secure: AES-128-CTR keystream keyed from the operating system (SecureRandom), re-keyed every 1 GiB"
                : "seeded (not secure): AES-128-CTR keystream keyed from a user seed";
        return "NoiseSource[" + keying + "; Box-Muller on 53-bit uniforms (" + transform.kind()
                + "); hardening " + hardening + "]";
    }

    /** The Box-Muller implementation chosen once per JVM. */
    private static final class Transforms {
        static final GaussianTransform BEST = GaussianTransform.best();
    }
}
