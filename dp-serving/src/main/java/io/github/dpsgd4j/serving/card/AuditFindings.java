package io.github.dpsgd4j.serving.card;

/**
 * The audit numbers a privacy card shows, as dp-audit's reports name them. NaN where a report did
 * not hold the number.
 *
 * @param subject                    what was audited (the model itself, or dp-audit's reference
 *                                   experiment with the same recipe)
 * @param source                     the file the numbers came from
 * @param liraAuc                    LiRA (online) membership AUC
 * @param liraAucNullHalfWidth       half-width of its 95% band around 0.5 without leakage
 * @param lossAuc                    loss-threshold attack AUC
 * @param liraAdvantage              held-out LiRA advantage TPR - FPR
 * @param liraAdvantageNull95        null 95% quantile of the advantage
 * @param epsilonLowerBound          one-run empirical epsilon lower bound
 * @param inversionIdentification    MI-Face class identification rate (chance 1/K)
 * @param maxAuc                     AUC cap implied by the model's epsilon
 * @param maxAdvantage               advantage cap implied by (epsilon, delta)
 */
public record AuditFindings(String subject, String source, double liraAuc, double liraAucNullHalfWidth,
                            double lossAuc, double liraAdvantage, double liraAdvantageNull95, double epsilonLowerBound,
                            double inversionIdentification, double maxAuc, double maxAdvantage) {
}
