/**
 * Data-independent feature maps for private learning: the 2-D wavelet scattering transform
 * ({@link io.github.dpsgd4j.examples.features.ScatteringTransform}; Bruna and Mallat 2013),
 * per-example group normalisation, the ScatterNet pipeline of Tramer and Boneh (ICLR 2021) and an
 * on-disk cache of computed features. Every map here is applied to each example on its own, so
 * training on its output with DP-SGD keeps DP-SGD's guarantee with respect to the raw examples.
 */
package io.github.dpsgd4j.examples.features;
