package io.github.dpsgd4j.audit.inversion;

/** Why an MI-Face search stopped. */
public enum StopReason {
    /** The target label's confidence reached {@code targetConfidence}. */
    TARGET_REACHED,
    /** The cost did not improve on the worst of the last {@code patience} costs (Fredrikson's beta rule). */
    NO_IMPROVEMENT,
    /** {@code maxIterations} steps were taken. */
    MAX_ITERATIONS
}
