package io.github.dpsgd4j.serving;

/**
 * The model behind a {@link ServingGuard}: a classifier that maps input rows to logits. The guard
 * never exposes logits; it releases only what its output policy allows.
 *
 * <p>Implementations must be safe to call from several threads at once (the HTTP server answers
 * requests concurrently); {@link Dl4jServedModel} serialises calls to its network.
 */
public interface ServedModel {

    /** Number of features of one input row, {@code >= 1}. */
    int inputLength();

    /** Number of classes K, {@code >= 2}. */
    int numClasses();

    /**
     * Logits of each row.
     *
     * @param rows [n][{@link #inputLength()}], finite values; not modified
     * @return [n][{@link #numClasses()}], a new array
     */
    double[][] logits(double[][] rows);
}
