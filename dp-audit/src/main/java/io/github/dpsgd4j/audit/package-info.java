/**
 * Empirical privacy audits of trained models: what an attacker with query access can learn about
 * the training data (membership inference, model inversion), measured with honest statistics and
 * shown beside the caps that the model's (epsilon, delta) guarantee implies.
 */
package io.github.dpsgd4j.audit;
