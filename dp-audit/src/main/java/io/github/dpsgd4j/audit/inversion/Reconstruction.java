package io.github.dpsgd4j.audit.inversion;

/**
 * The result of one MI-Face search: the lowest-cost iterate.
 *
 * @param label      the class reconstructed
 * @param image      pixels in [0, 1], row-major (a copy is held; do not modify)
 * @param confidence the model's confidence in {@code label} at {@code image} (as the attacker saw it)
 * @param iterations gradient steps taken
 * @param queries    model queries spent (black box; for white box, forward-backward passes)
 * @param stopReason why the search stopped
 */
public record Reconstruction(int label, double[] image, double confidence, int iterations, long queries,
                             StopReason stopReason) {
}
