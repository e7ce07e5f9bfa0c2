/**
 * Detection of query streams that look like model-inversion or membership probing: bursts of
 * near-duplicate inputs (finite-difference gradient estimation), small-step hill-climbing on one
 * class's score, and streams focused on one class. Heuristics, not proofs: each signal has
 * documented thresholds, and honest traffic is tested not to trip them.
 */
package io.github.dpsgd4j.serving.probing;
