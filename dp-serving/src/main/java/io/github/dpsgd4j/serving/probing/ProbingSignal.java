package io.github.dpsgd4j.serving.probing;

/** A pattern the {@link ProbingDetector} recognises in one client's query stream. */
public enum ProbingSignal {
    /**
     * Many queries within a short time, each within a small distance of the new one: the pattern of
     * finite-difference gradient estimation (black-box MI-Face) and of repeated querying around one
     * point.
     */
    NEAR_DUPLICATE_BURST("near_duplicate_burst"),
    /**
     * A chain of consecutive queries, each a small step from the previous, along which one class's
     * probability rises most of the time: gradient-free or gradient-estimating ascent on a score.
     */
    HILL_CLIMBING("hill_climbing"),
    /** Nearly every recent query is predicted as the same class: querying one class's score. */
    CLASS_FOCUS("class_focus");

    private final String jsonName;

    ProbingSignal(String jsonName) {
        this.jsonName = jsonName;
    }

    /** The name used in responses and in the query log. */
    public String jsonName() {
        return jsonName;
    }
}
