package io.github.dpsgd4j.audit.model;

/** Where a private recipe's DP-SGD noise comes from. */
public enum NoiseMode {
    /** {@code NoiseSource.secure()}: the only choice when the trained model will be used. */
    SECURE,
    /**
     * {@code NoiseSource.seeded(seed)} from the training seed: reproducible audits and tests, NOT
     * secure (anyone who knows the seed can subtract the noise).
     */
    SEEDED
}
