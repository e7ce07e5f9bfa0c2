package io.github.dpsgd4j.audit.membership;

/** How LiRA estimates the spread of the logit-scaled confidence (Carlini et al. 2022, section IV.D). */
public enum VarianceMode {
    /**
     * One global standard deviation for every example, pooled from the within-example deviations of
     * all IN and OUT observations: the better choice with fewer than about 64 shadow models.
     */
    FIXED,
    /** A standard deviation per example and per side (IN, OUT); needs many shadow models. */
    PER_EXAMPLE
}
