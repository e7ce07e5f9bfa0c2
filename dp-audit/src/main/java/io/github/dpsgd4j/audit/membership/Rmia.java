package io.github.dpsgd4j.audit.membership;

import io.github.dpsgd4j.audit.model.OutputPolicy;
import io.github.dpsgd4j.common.Checks;

import java.util.Arrays;

/**
 * The robust membership inference attack RMIA (Zarifzadeh, Liu and Shokri 2024, "Low-cost
 * high-power membership inference attacks", ICML, PMLR 235), built here from its definition.
 *
 * <p>For an example x with true label y, Pr(x | theta) is the model's probability of y. Its
 * population average Pr(x) is the mean of Pr(x | theta') over the reference models theta' (each
 * trained on a random half of the pool, so a reference model saw x with probability 1/2 and the
 * mean estimates the marginal over a fair inclusion coin; with one reference model it is that
 * model's probability). The pairwise likelihood ratio of x against a population example z is
 * <pre>LR(x, z) = [Pr(x | theta) / Pr(x)] / [Pr(z | theta) / Pr(z)]</pre>
 * and the score of x is the fraction of population examples z with LR(x, z) &gt;= gamma
 * (gamma = 1 by default). Higher scores mean "member".
 *
 * <p>The population is every other example of the pool. The auditor does not know which of them
 * are members of the target; because membership was drawn by independent coins, the mixture is the
 * same whether x is a member or not, so the comparison stays fair (it shrinks the score range, it
 * does not favour either class). The offline variant of the paper (Pr(x) from reference models that
 * did not train on x, corrected by a grid-searched factor a) is not implemented: with reference
 * models trained on halves of the pool, the online average needs no such correction.
 *
 * <p>Probabilities are handled in log space from the logit-scaled confidence phi = log(p / (1 -
 * p)) that an {@link OutputPolicy} lets the attacker compute, so that tiny probabilities of a
 * confident model neither underflow nor tie. Stateless and thread-safe.
 */
public final class Rmia {

    /** The paper's default threshold on the pairwise likelihood ratio. */
    public static final double DEFAULT_GAMMA = 1.0;

    private Rmia() {
    }

    /**
     * RMIA scores of the target's examples, with {@code references} as reference models.
     *
     * @param references   reference models trained on halves of the same pool, in the same order (any count >= 1)
     * @param targetLogits [n][K] logits of the target model on the pool; not modified
     * @param labels       [n] true classes; not modified
     * @param policy       what the attacker sees of each model's output (the same for target and references)
     * @param gamma        threshold on the pairwise likelihood ratio, finite and > 0 (1 in the paper)
     * @return [n] scores in [0, 1]
     */
    public static double[] score(ShadowModels references, double[][] targetLogits, int[] labels, OutputPolicy policy,
                                 double gamma) {
        Checks.notNull("references", references);
        Checks.notNull("targetLogits", targetLogits);
        Checks.notNull("labels", labels);
        Checks.notNull("policy", policy);
        int n = references.size();
        Checks.equalTo("targetLogits.length", targetLogits.length, "pool size", n);
        Checks.equalTo("labels.length", labels.length, "pool size", n);
        double[][] reference = new double[references.count()][n];
        double[] target = new double[n];
        for (int i = 0; i < n; i++) {
            target[i] = logProbability(policy.logitScaledConfidence(targetLogits[i], labels[i]));
            for (int s = 0; s < references.count(); s++) {
                reference[s][i] = logProbability(policy.logitScaledConfidence(references.logitsView(s, i), labels[i]));
            }
        }
        return score(reference, target, gamma);
    }

    /**
     * RMIA scores from log-probabilities of the true labels.
     *
     * @param referenceLogProbabilities [S][n], S >= 1, log Pr(x_i | theta'_s), finite or -infinity; not modified
     * @param targetLogProbabilities    [n], n >= 2, log Pr(x_i | theta); not modified
     * @param gamma                     finite and > 0
     * @return [n] the fraction of the other n - 1 examples z with LR(x_i, z) >= gamma
     */
    public static double[] score(double[][] referenceLogProbabilities, double[] targetLogProbabilities, double gamma) {
        Checks.notNull("referenceLogProbabilities", referenceLogProbabilities);
        Checks.notNull("targetLogProbabilities", targetLogProbabilities);
        Checks.finitePositive("gamma", gamma);
        int models = referenceLogProbabilities.length;
        if (models < 1) {
            throw new IllegalArgumentException("referenceLogProbabilities must hold at least one reference model, got 0");
        }
        int n = targetLogProbabilities.length;
        if (n < 2) {
            throw new IllegalArgumentException("targetLogProbabilities must hold at least 2 examples (one x, one z), got "
                    + n);
        }
        double[] logRatio = new double[n];
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int s = 0; s < models; s++) {
                Checks.equalTo("referenceLogProbabilities[" + s + "].length", referenceLogProbabilities[s].length,
                        "targetLogProbabilities.length", n);
                max = Math.max(max, check(referenceLogProbabilities[s][i], "referenceLogProbabilities", i));
            }
            double sum = 0;
            for (int s = 0; s < models; s++) {
                sum += Math.exp(referenceLogProbabilities[s][i] - max);
            }
            double logPopulation = max + Math.log(sum / models);
            double own = check(targetLogProbabilities[i], "targetLogProbabilities", i);
            // A probability of 0 under every reference model and the target: no evidence either way (ratio 1).
            logRatio[i] = logPopulation == Double.NEGATIVE_INFINITY ? (own == Double.NEGATIVE_INFINITY ? 0
                    : Double.POSITIVE_INFINITY) : own - logPopulation;
        }
        double[] sorted = logRatio.clone();
        Arrays.sort(sorted);
        double logGamma = Math.log(gamma);
        double[] scores = new double[n];
        for (int i = 0; i < n; i++) {
            // LR(x, z) >= gamma  <=>  log r_z <= log r_x - log gamma.
            double bound = logRatio[i] - logGamma;
            int count = upperBound(sorted, bound);
            if (logRatio[i] <= bound) {
                count--; // x is not its own population example
            }
            scores[i] = (double) count / (n - 1);
        }
        return scores;
    }

    /** log p from phi = log(p / (1 - p)), without overflow: log sigmoid(phi). */
    static double logProbability(double phi) {
        if (Double.isNaN(phi)) {
            throw new IllegalArgumentException("logit-scaled confidence must not be NaN");
        }
        return phi >= 0 ? -Math.log1p(Math.exp(-phi)) : phi - Math.log1p(Math.exp(phi));
    }

    private static double check(double logProbability, String name, int i) {
        if (Double.isNaN(logProbability) || logProbability > 1e-12) {
            throw new IllegalArgumentException(name + "[" + i + "] must be a log-probability (<= 0, not NaN), got "
                    + logProbability);
        }
        return logProbability;
    }

    /** Number of entries of the sorted array that are <= value. */
    private static int upperBound(double[] sorted, double value) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= value) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
