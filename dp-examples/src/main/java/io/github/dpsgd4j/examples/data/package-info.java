/**
 * Data sets for the examples: an IDX reader ({@link io.github.dpsgd4j.examples.data.IdxFormat}),
 * the Fashion-MNIST loader that reads an installed copy
 * ({@link io.github.dpsgd4j.examples.data.FashionMnist}; nothing is downloaded), labelled images
 * held as floats in [0, 1], and the named data sets of the command line
 * ({@link io.github.dpsgd4j.examples.data.DatasetName}). Pixel scaling is fixed and data-independent,
 * so it costs no privacy.
 */
package io.github.dpsgd4j.examples.data;
