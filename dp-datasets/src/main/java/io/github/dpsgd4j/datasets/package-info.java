/**
 * Small data sets bundled with dpsgd4j (with attribution) for tests, demos, audits and benchmarks:
 * {@link io.github.dpsgd4j.datasets.DigitsDataset}, the 8x8 handwritten digits. Depends on ND4J's API
 * only, so the training library does not carry data and every module that needs the digits can use them.
 */
package io.github.dpsgd4j.datasets;
