/** JMH benchmark of one private step on Spark (dp-spark) against the single-machine step. */
package io.github.dpsgd4j.benchmarks.spark;
