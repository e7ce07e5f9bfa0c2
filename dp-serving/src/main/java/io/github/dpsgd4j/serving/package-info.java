/**
 * Guarded serving of a trained classifier, independent of any web framework: {@link
 * io.github.dpsgd4j.serving.ServingGuard} puts an output policy, per-client rate limits and query
 * budgets, a probing detector and an append-only query log in front of a {@link
 * io.github.dpsgd4j.serving.ServedModel}. Sub-packages hold the parts, an embedded HTTP server,
 * privacy cards, a leakage regression check and the HTTP attack clients that measure the guards.
 */
package io.github.dpsgd4j.serving;
