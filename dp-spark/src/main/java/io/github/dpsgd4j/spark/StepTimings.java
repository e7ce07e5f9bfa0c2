package io.github.dpsgd4j.spark;

/**
 * Where the driver's time went in one Spark step (wall clock, nanoseconds) and the payload it moved,
 * for benchmarks and monitoring. Not private data: sizes and times only.
 *
 * @param broadcastNanos  step key, parameter copy and {@code broadcast} (before the job)
 * @param jobNanos        the Spark job: tasks (sampling, per-example gradients) and {@code treeAggregate}
 * @param updateNanos     noise, division by q N and the DL4J update on the driver
 * @param parameterBytes  the broadcast parameters' payload (4 or 8 bytes per parameter)
 * @param aggregateBytes  the partition sums' payload into the aggregation: every partition's sum in the
 *                        model's precision (4 or 8 bytes per parameter), whether or not its sample was
 *                        empty (an upper bound; merged sums travel as doubles)
 */
public record StepTimings(long broadcastNanos, long jobNanos, long updateNanos, long parameterBytes,
                          long aggregateBytes) {
}
