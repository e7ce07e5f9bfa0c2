package io.github.dpsgd4j.core.clip;

/**
 * What clipping does with an example whose gradient norm is NaN or infinite (an overflow, a NaN
 * loss, a corrupt input).
 */
public enum NonFiniteNormPolicy {

    /**
     * The default: the example contributes nothing to the clipped sum (its clip factor is 0 and its
     * gradient is never multiplied, so NaN cannot leak into the sum) and is counted in
     * {@link ClipStats#nonFiniteCount()}. Skipping is privacy-neutral: a skipped example changes the
     * sum by 0, within the sensitivity bound.
     */
    SKIP,

    /** Throw an {@link IllegalArgumentException} naming the first such example's index. */
    FAIL
}
