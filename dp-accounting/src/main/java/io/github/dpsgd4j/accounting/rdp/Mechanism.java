package io.github.dpsgd4j.accounting.rdp;

/**
 * One step of the Poisson-subsampled Gaussian: the key under which per-step RDP vectors are
 * cached and counted. Equality is that of the doubles' bits (record semantics), so 0.1 and
 * 0.1000000000000001 are different mechanisms.
 *
 * @param noiseMultiplier finite and >= 0 (validated by the event records)
 * @param sampleRate      in [0, 1]; 1 for an unsampled Gaussian
 */
record Mechanism(double noiseMultiplier, double sampleRate) {
}
