package io.github.dpsgd4j.audit.inversion;

/** Where MI-Face starts its search. */
public enum StartPoint {
    /** The all-zero image x<sub>0</sub> = 0 of Fredrikson et al. (2015). Gradients can vanish at 0 with ReLU nets. */
    ZEROS,
    /** Independent uniform pixels in [0, 1] (seeded). */
    UNIFORM,
    /** The attacker's global mean image (public auxiliary knowledge, not one class's mean). */
    GLOBAL_MEAN
}
