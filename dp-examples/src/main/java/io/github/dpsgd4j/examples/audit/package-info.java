/**
 * Helpers of the {@code dpsgd4j audit} command: a minimal Fashion-MNIST reader (IDX files of the
 * Debian package {@code dataset-fashion-mnist}), a CSV reader for a user's member and non-member
 * files, and the shadow recipe for a user's saved model.
 */
package io.github.dpsgd4j.examples.audit;
