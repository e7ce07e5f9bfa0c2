/**
 * Statistics for honest attack reports: ROC curves and AUC with DeLong intervals, thresholds
 * chosen on held-out folds, Clopper&ndash;Pearson and Wilson intervals, and the caps on any attack
 * implied by an (epsilon, delta) guarantee. Pure Java (Commons Math for the distributions);
 * everything here is stateless or immutable and thread-safe.
 */
package io.github.dpsgd4j.audit.stats;
