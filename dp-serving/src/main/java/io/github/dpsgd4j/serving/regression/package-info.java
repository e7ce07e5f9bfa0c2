/**
 * A leakage regression check for a user's own build: audit a freshly trained model and fail (with
 * an {@link java.lang.AssertionError}, which every test framework reports as a failure) when the
 * measured membership leakage exceeds a bound derived from the model's epsilon or a chosen threshold.
 */
package io.github.dpsgd4j.serving.regression;
