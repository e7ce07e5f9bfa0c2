/**
 * JMH benchmarks of dp-core's hot loop: clip-and-sum over a materialised per-example gradient
 * matrix ({@link io.github.dpsgd4j.benchmarks.core.ClipAndSumBenchmark}), the machine's streaming
 * read bandwidth it is measured against ({@link io.github.dpsgd4j.benchmarks.core.ReadBandwidthBenchmark}),
 * and Gaussian noise generation ({@link io.github.dpsgd4j.benchmarks.core.NoiseBenchmark}).
 * Throughput benchmarks report an {@code @AuxCounters} field ({@code bytes} or {@code samples}) whose
 * score is bytes or samples per second; see {@code benchmarks/README.md}.
 */
package io.github.dpsgd4j.benchmarks.core;
