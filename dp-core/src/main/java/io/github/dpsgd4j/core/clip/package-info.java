/**
 * Per-example gradient clipping for DP-SGD (Abadi et al. 2016, "Deep learning with differential
 * privacy", ACM CCS, Algorithm 1).
 *
 * <p>{@link io.github.dpsgd4j.core.clip.ClipFactors} turns squared per-example norms into clip
 * factors {@code min(1, C / ||g_i||)} (rounded so that {@code factor * ||g_i|| <= C} holds
 * exactly), per example or per parameter group;
 * {@link io.github.dpsgd4j.core.clip.ClipAndSum} computes the norms and the clipped sum
 * {@code sum_i c_i g_i} over a materialised per-example gradient matrix, with a CPU fast path on
 * heap arrays and a portable INDArray path for the CUDA backend.
 *
 * <p><b>Adjacency.</b> dpsgd4j uses add/remove adjacency (one example present or absent), under
 * which adding or removing an example changes the clipped sum by at most {@code C} (the L2
 * sensitivity); under replace-one adjacency the bound would be {@code 2C}. Non-finite examples are
 * skipped by default, which changes the sum by 0.
 */
package io.github.dpsgd4j.core.clip;
