/**
 * Empirical lower bounds on epsilon: what an experiment proves about the privacy of a training
 * algorithm, to compare with what the accountant certifies. A lower bound above the accountant's
 * epsilon (beyond its confidence interval) means a bug; one far below it is normal, because
 * attacks on natural data are far from the worst case.
 *
 * <ul>
 *   <li>{@link io.github.dpsgd4j.audit.epsilon.EpsilonLowerBound}: Clopper&ndash;Pearson bounds from
 *       error counts of a test between neighbouring datasets (Jagielski, Ullman and Oprea 2020,
 *       "Auditing differentially private machine learning: how private is private SGD?", NeurIPS);</li>
 *   <li>{@link io.github.dpsgd4j.audit.epsilon.CanaryAudit}: that bound from repeated training runs
 *       with and without a canary, thresholds chosen on held-out runs;</li>
 *   <li>{@link io.github.dpsgd4j.audit.epsilon.OneRunAudit}: the one-run audit of Steinke, Nasr and
 *       Jagielski (2023, "Privacy auditing with one (1) training run", NeurIPS);</li>
 *   <li>{@link io.github.dpsgd4j.audit.epsilon.GradientCanaryAudit}: the Dirac gradient canary check
 *       of the DP-SGD implementation itself (Nasr, Hayes, Steinke, Balle, Tram&egrave;r, Jagielski,
 *       Carlini and Terzis 2023, "Tight auditing of differentially private machine learning",
 *       USENIX Security).</li>
 * </ul>
 */
package io.github.dpsgd4j.audit.epsilon;
