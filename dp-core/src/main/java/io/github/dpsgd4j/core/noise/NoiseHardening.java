package io.github.dpsgd4j.core.noise;

/**
 * Mitigations against floating-point attacks on Gaussian noise.
 *
 * <p>A textbook floating-point sampler does not output every double near a given value with the
 * right probability: Mironov (2012, "On significance of the least significant bits for
 * differential privacy", ACM CCS) showed that the low-order bits of Laplace samples reveal the
 * unnoised value, and Jin, McMurtry, Rubinstein and Ohrimenko (2022, "Are we there yet?
 * Timing and floating-point attacks on differential privacy systems", IEEE S&amp;P,
 * arXiv:2112.05307) carried such attacks over to Gaussian noise and DP-SGD. Holohan and Braghin
 * (2021, "Secure random sampling in differential privacy", ESORICS, arXiv:2107.10138) observed
 * that a sum of several independent draws of an infinitely divisible distribution has the
 * same law but makes the set of reachable floating-point outputs dense, so the pre-image of an
 * output can no longer be recovered; Opacus' {@code secure_mode} applies this to the Gaussian.
 *
 * <p>Measured cost on the reference machine (2-vCPU Zen 5 VM, Vector API): {@link #SUM_OF_FOUR}
 * 5.7 to 8.7 ns per sample against 1.3 to 2.2 ns for {@link #NONE}, 4.1 to 4.4 times
 * ({@code NoiseBenchmark.secureSumOfFour} vs {@code NoiseBenchmark.secure}, see
 * {@code benchmarks/README.md}).
 */
public enum NoiseHardening {

    /** One Box&ndash;Muller draw per output: the fastest choice, the default. */
    NONE,

    /**
     * Each output is {@code (Z1 + Z2 + Z3 + Z4) / 2}, the sum of four independent standard normal
     * draws (from four distinct Box&ndash;Muller pairs) divided by two, which is again exactly
     * N(0, 1); in addition one draw is discarded at the start of every call
     * ({@code nextGaussian}, {@code fillGaussian}, {@code addGaussian}), as Opacus' secure mode
     * discards one draw per noise call. Costs about five draws per output.
     */
    SUM_OF_FOUR
}
