/**
 * The privacy loss distribution (PLD) accountant: tight (epsilon, delta) for DP-SGD by
 * discretising the privacy loss of each Poisson-subsampled Gaussian step pessimistically
 * (connect-the-dots, Doroshenko et al. 2022) and composing the steps by FFT (Koskela, Jalko,
 * Honkela 2020), following Google's dp_accounting {@code PLDAccountant}.
 *
 * <p>The public entry point is {@link io.github.dpsgd4j.accounting.pld.PldAccountant}
 * (also reached through {@link io.github.dpsgd4j.accounting.AccountantType#PLD}). The other types
 * are internal: the privacy loss of one sampled Gaussian step in each adjacency direction with its
 * exact hockey-stick divergence, the discretised distribution (a dense probability mass function
 * on a loss grid with a mass at infinity), and the FFT convolutions.
 *
 * <p>Use PLD for reports and noise calibration; use the RDP accountant, or a maximum step count
 * precomputed with PLD, for per-step budget checks inside a training loop.
 */
package io.github.dpsgd4j.accounting.pld;
