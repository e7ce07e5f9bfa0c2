package io.github.dpsgd4j.core.clip;

/**
 * What one clip-and-sum did, for logging and monitoring. These counts depend on the private data:
 * publish them only through a mechanism that accounts for them.
 *
 * @param size           number of examples (rows), {@code >= 0}
 * @param nonFiniteCount examples skipped because their norm was NaN or infinite, in {@code [0, size]}
 * @param clippedCount   finite examples scaled down (factor {@code < 1} in at least one group),
 *                       in {@code [0, size - nonFiniteCount]}
 * @param maxNorm        the largest finite L2 norm before clipping (over all groups), {@code >= 0};
 *                       0 when no example is finite
 */
public record ClipStats(int size, int nonFiniteCount, int clippedCount, double maxNorm) {

    /** Validates the ranges documented above. */
    public ClipStats {
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0, got " + size);
        }
        if (nonFiniteCount < 0 || nonFiniteCount > size) {
            throw new IllegalArgumentException("nonFiniteCount must be in [0, size = " + size + "], got "
                    + nonFiniteCount);
        }
        if (clippedCount < 0 || clippedCount > size - nonFiniteCount) {
            throw new IllegalArgumentException("clippedCount must be in [0, size - nonFiniteCount = "
                    + (size - nonFiniteCount) + "], got " + clippedCount);
        }
        if (!(maxNorm >= 0) || maxNorm == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("maxNorm must be finite and >= 0, got " + maxNorm);
        }
    }

    /** The statistics of no examples: the identity of {@link #merge}. */
    public static ClipStats empty() {
        return new ClipStats(0, 0, 0, 0);
    }

    /**
     * The statistics of both sets of examples together: counts add, {@code maxNorm} is the larger.
     * Associative and commutative, with {@link #empty()} as identity, so micro-batches, threads or
     * partitions can each produce one and combine them in any order.
     *
     * @param other not null
     */
    public ClipStats merge(ClipStats other) {
        if (other == null) {
            throw new IllegalArgumentException("other must not be null");
        }
        return new ClipStats(Math.addExact(size, other.size), nonFiniteCount + other.nonFiniteCount,
                clippedCount + other.clippedCount, Math.max(maxNorm, other.maxNorm));
    }
}
