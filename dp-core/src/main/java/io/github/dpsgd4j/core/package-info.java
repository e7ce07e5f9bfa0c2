/**
 * dp-core: the numerical primitives of DP-SGD on ND4J, independent of any network.
 *
 * <ul>
 *   <li>{@link io.github.dpsgd4j.core.noise} &mdash; Gaussian noise from a cryptographically secure
 *       keystream ({@code NoiseSource.secure()}, the default) or from a reproducible seed;</li>
 *   <li>{@link io.github.dpsgd4j.core.clip} &mdash; per-example clip factors and the clip-and-sum
 *       kernels over a materialised per-example gradient matrix (Abadi et al. 2016);</li>
 *   <li>{@link io.github.dpsgd4j.core.sampling} &mdash; Poisson sampling of the examples of a step.</li>
 * </ul>
 *
 * <p>ND4J's own random number generator is never used for noise or sampling: it is not
 * cryptographic, is reseeded from the model configuration and clamps Gaussian tails at about
 * 4.8 standard deviations.
 */
package io.github.dpsgd4j.core;
