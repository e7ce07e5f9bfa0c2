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
 * does not favour either class).
 *
 * <p>The paper's offline variant ({@link #scoreOffline}) uses only reference models that did not
 * train on an example: Pr(x) = ((1 + a) / 2) Pr<sub>OUT</sub>(x) + (1 - a) / 2, where Pr<sub>OUT</sub>(x)
 * is the mean probability of x's label under the reference models that left x out, and a in [0, 1]
 * corrects for the missing IN models (a linear guess of the IN probability from the OUT one; a = 1
 * trusts the OUT mean alone). {@link #tuneOfflineA} chooses a on the reference models themselves, as
 * the paper's code does: one reference model plays the target and a is the grid value that attacks it
 * best.
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
        return fractions(logRatio, gamma);
    }

    /** For each x, the fraction of the other examples z with log r_x - log r_z >= log gamma. */
    private static double[] fractions(double[] logRatio, double gamma) {
        Checks.finitePositive("gamma", gamma);
        int n = logRatio.length;
        if (n < 2) {
            throw new IllegalArgumentException("the pool must hold at least 2 examples (one x, one z), got " + n);
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

    /** The grid of {@link #tuneOfflineA}: a = 0, 0.1, ..., 1. */
    public static final double[] OFFLINE_A_GRID = {0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1};

    /**
     * Offline RMIA scores: Pr(x) from the reference models that did not train on x only, corrected
     * by {@code a} (class comment).
     *
     * @param references   reference models on the same pool; every example must be OUT for at least one
     *                     (with complementary pairs: any even count)
     * @param targetLogits [n][K] logits of the target on the pool; not modified
     * @param labels       [n] true classes; not modified
     * @param policy       what the attacker sees of each model's output
     * @param gamma        finite and > 0
     * @param a            in [0, 1]
     * @return [n] scores in [0, 1]
     */
    public static double[] scoreOffline(ShadowModels references, double[][] targetLogits, int[] labels,
                                        OutputPolicy policy, double gamma, double a) {
        Checks.notNull("references", references);
        Checks.notNull("targetLogits", targetLogits);
        Checks.notNull("labels", labels);
        Checks.notNull("policy", policy);
        int n = references.size();
        Checks.equalTo("targetLogits.length", targetLogits.length, "pool size", n);
        Checks.equalTo("labels.length", labels.length, "pool size", n);
        double[] target = new double[n];
        for (int i = 0; i < n; i++) {
            target[i] = logProbability(policy.logitScaledConfidence(targetLogits[i], labels[i]));
        }
        return fractions(offlineLogRatios(references, target, labels, policy, a, -1), gamma);
    }

    /**
     * The offline correction a from the reference models alone: reference model 0 plays the target
     * (its training half is the membership), the others are its references, and a is the value of
     * {@link #OFFLINE_A_GRID} whose offline scores give the largest AUC (the first on ties).
     *
     * @param references at least 3 reference models such that every example is OUT for one of models 1..S-1
     *                   (with complementary pairs: 4 or more)
     * @param labels     [n] true classes
     * @param policy     what the attacker sees
     * @param gamma      finite and > 0
     * @return a in [0, 1]
     */
    public static double tuneOfflineA(ShadowModels references, int[] labels, OutputPolicy policy, double gamma) {
        Checks.notNull("references", references);
        Checks.notNull("labels", labels);
        Checks.notNull("policy", policy);
        if (references.count() < 3) {
            throw new IllegalArgumentException("tuning a needs at least 3 reference models (one as the target, "
                    + "the others covering every example with an OUT model), got " + references.count());
        }
        int n = references.size();
        Checks.equalTo("labels.length", labels.length, "pool size", n);
        double[] target = new double[n];
        boolean[] member = new boolean[n];
        for (int i = 0; i < n; i++) {
            target[i] = logProbability(policy.logitScaledConfidence(references.logitsView(0, i), labels[i]));
            member[i] = references.kept(0, i);
        }
        double bestA = OFFLINE_A_GRID[0];
        double bestAuc = Double.NEGATIVE_INFINITY;
        for (double a : OFFLINE_A_GRID) {
            double[] scores = fractions(offlineLogRatios(references, target, labels, policy, a, 0), gamma);
            double auc = MembershipAudit.metrics(scores, member, 0).auc();
            if (auc > bestAuc) {
                bestAuc = auc;
                bestA = a;
            }
        }
        return bestA;
    }

    /** log Pr(x | target) - log Pr_offline(x) for every example, skipping reference model {@code skip} (-1: none). */
    private static double[] offlineLogRatios(ShadowModels references, double[] target, int[] labels,
                                             OutputPolicy policy, double a, int skip) {
        if (!(a >= 0 && a <= 1)) {
            throw new IllegalArgumentException("a must be in [0, 1], got " + a);
        }
        int n = target.length;
        double[] logRatio = new double[n];
        for (int i = 0; i < n; i++) {
            double sum = 0;
            int out = 0;
            for (int s = 0; s < references.count(); s++) {
                if (s != skip && !references.kept(s, i)) {
                    sum += Math.exp(logProbability(policy.logitScaledConfidence(references.logitsView(s, i),
                            labels[i])));
                    out++;
                }
            }
            if (out == 0) {
                throw new IllegalArgumentException("example " + i + " has no reference model that left it out; "
                        + "offline RMIA needs one per example (use complementary pairs: an even number of models)");
            }
            double population = (1 + a) / 2 * (sum / out) + (1 - a) / 2;
            double own = check(target[i], "targetLogProbabilities", i);
            // population > 0 unless a = 1 and every OUT probability underflowed: then no evidence either way.
            logRatio[i] = population > 0 ? own - Math.log(population)
                    : own == Double.NEGATIVE_INFINITY ? 0 : Double.POSITIVE_INFINITY;
        }
        return logRatio;
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
