package io.github.dpsgd4j.spark;

import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.core.sampling.PoissonSampler;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The randomness of a step's Poisson sample: the driver draws a 256-bit step key from its secure
 * source; partition p's generator is {@link NoiseSource#keyed} with HMAC-SHA256(step key, domain ||
 * p). Distinct partitions therefore draw from independent-looking AES-CTR streams (HMAC is a PRF),
 * and a retried, speculative or recomputed task of partition p redraws exactly the same sample (the
 * key depends on the step and the partition, never on the task attempt).
 *
 * <p>The step key is drawn from the driver's source but is independent of the noise (distinct
 * keystream output), and it is not the noise source: executors that hold it learn which examples
 * are sampled, nothing about the noise.
 */
final class SampleKeys {

    /** Bytes of a step key. */
    static final int KEY_BYTES = 32;
    private static final byte[] DOMAIN = "io.github.dpsgd4j.spark.partition-sample/v1".getBytes(StandardCharsets.US_ASCII);

    private SampleKeys() {
    }

    /** A fresh step key: 32 bytes (four 64-bit words) from the driver's source. */
    static byte[] stepKey(NoiseSource driverSource) {
        long[] words = new long[KEY_BYTES / Long.BYTES];
        driverSource.nextLongs(words, 0, words.length);
        ByteBuffer key = ByteBuffer.allocate(KEY_BYTES);
        for (long w : words) {
            key.putLong(w);
        }
        return key.array();
    }

    /**
     * The Poisson sampler of partition {@code partition} in the step keyed by {@code stepKey}.
     *
     * @param stepKey    32 bytes; not modified
     * @param partition  the RDD partition index, {@code >= 0}
     * @param sampleRate q in (0, 1]
     */
    static PoissonSampler partitionSampler(byte[] stepKey, int partition, double sampleRate) {
        return new PoissonSampler(sampleRate, NoiseSource.keyed(partitionKey(stepKey, partition)));
    }

    /** HMAC-SHA256(stepKey, domain || partition): the 32 key bytes of one partition's generator. */
    static byte[] partitionKey(byte[] stepKey, int partition) {
        if (stepKey == null || stepKey.length != KEY_BYTES) {
            throw new IllegalArgumentException("stepKey must hold " + KEY_BYTES + " bytes");
        }
        if (partition < 0) {
            throw new IllegalArgumentException("partition must be >= 0, got " + partition);
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(stepKey, "HmacSHA256"));
            mac.update(DOMAIN);
            mac.update(ByteBuffer.allocate(Integer.BYTES).putInt(partition).array());
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }
}
