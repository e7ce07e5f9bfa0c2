/**
 * Data-parallel DP-SGD on Apache Spark 3.5: {@link io.github.dpsgd4j.spark.SparkDpSgdTrainer}.
 *
 * <p>One private step: the driver (which alone holds the model, the updater state, the privacy
 * ledger and the noise source) refuses the step if it would exceed the budget and records it in
 * the ledger and the write-ahead journal; it broadcasts the parameters and a fresh random step
 * key; every partition Poisson-samples its own examples with rate q from a secure generator keyed
 * by (step key, partition), runs dp-optimizers' per-example gradient engine on a local copy of the
 * model and returns its clipped sum; {@code treeAggregate} merges the sums; the driver adds
 * Gaussian noise N(0, (sigma C)^2) once, divides by q N and applies the model's own DL4J updater,
 * exactly as the single-machine {@code DpSgdTrainer} does. Because the partitions are disjoint and
 * cover the data, and every example's inclusion is an independent Bernoulli(q) draw, the union is
 * a Poisson sample of the whole data set, and the accountant's analysis is that of one machine.
 *
 * <p>Trust model: the driver is trusted; executors see the raw examples of their partitions (as
 * they do for any Spark job), never the noise source, the ledger or the updater state.
 */
package io.github.dpsgd4j.spark;
