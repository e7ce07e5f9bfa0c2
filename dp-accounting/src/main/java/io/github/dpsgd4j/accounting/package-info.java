/**
 * Privacy accounting for DP-SGD, in pure Java: the {@link io.github.dpsgd4j.accounting.DpEvent}
 * vocabulary (Gaussian, Poisson-sampled, self-composed, composed), the
 * {@link io.github.dpsgd4j.accounting.PrivacyAccountant} interface with its RDP and PLD
 * implementations, budgets and guarantees as validated values, and the
 * {@link io.github.dpsgd4j.accounting.PrivacyLedger} that records a run's history as JSON.
 *
 * <p>Semantics: add/remove adjacency, one training example as the unit of privacy, Gaussian
 * mechanisms of L2 sensitivity 1 (the noise multiplier is noise standard deviation over clipping
 * norm). Every reported epsilon is an upper bound; approximations err toward privacy.
 */
package io.github.dpsgd4j.accounting;
