package io.github.dpsgd4j.audit.epsilon;

import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.common.Shuffles;
import org.apache.commons.math3.distribution.BinomialDistribution;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The one-run audit of Steinke, Nasr and Jagielski (2023, "Privacy auditing with one (1) training
 * run", NeurIPS, Theorem 3.1 and its delta extension): m canaries, each included in training
 * independently with probability 1/2; the auditor guesses "in" for its k<sup>+</sup> highest
 * scores and "out" for its k<sup>-</sup> lowest, abstaining on the rest; r guesses, v correct. With
 * q = e<sup>epsilon</sup>/(1 + e<sup>epsilon</sup>), the p-value of epsilon is
 * <pre>beta = P[Binomial(r, q) &gt;= v],  alpha = max_{i=1..v} (1/i) P[v - i &lt;= Binomial(r, q) &lt; v],
 * p = beta + alpha delta 2m  (p = beta when delta = 0)</pre>
 * and the bound is the largest epsilon with p(epsilon) &lt; 1 - confidence.
 *
 * <p>Membership inference scores of an ordinary audit become a valid one-run audit when the
 * member/non-member split was drawn by independent fair coins ({@link #fromScores}). Black-box
 * guesses on DP models give bounds near 0; that is expected. Stateless and thread-safe.
 */
public final class OneRunAudit {

    private static final double[] GUESS_FRACTIONS = {0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5};

    private OneRunAudit() {
    }

    /**
     * The bound for given counts.
     *
     * @param canaries   m, > 0
     * @param guesses    r in [0, m]
     * @param correct    v in [0, r]
     * @param delta      in [0, 1)
     * @param confidence in (0, 1), e.g. 0.95
     * @return epsilon lower bound {@code >= 0} (0 when even epsilon = 0 is not rejected)
     */
    public static double epsilonLowerBound(int canaries, int guesses, int correct, double delta, double confidence) {
        Checks.positive("canaries", canaries);
        if (guesses < 0 || guesses > canaries) {
            throw new IllegalArgumentException("guesses must be in [0, canaries = " + canaries + "], got " + guesses);
        }
        if (correct < 0 || correct > guesses) {
            throw new IllegalArgumentException("correct must be in [0, guesses = " + guesses + "], got " + correct);
        }
        if (!(delta >= 0 && delta < 1)) {
            throw new IllegalArgumentException("delta must be in [0, 1), got " + delta);
        }
        double level = 1 - Checks.openUnitInterval("confidence", confidence);
        if (guesses == 0 || !(pValue(0, canaries, guesses, correct, delta) < level)) {
            return 0;
        }
        double lo = 0;
        double hi = 1;
        while (pValue(hi, canaries, guesses, correct, delta) < level) {
            lo = hi;
            hi *= 2;
            if (hi > 1e3) {
                return lo;
            }
        }
        for (int it = 0; it < 60; it++) {
            double mid = (lo + hi) / 2;
            if (pValue(mid, canaries, guesses, correct, delta) < level) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    static double pValue(double epsilon, int m, int r, int v, double delta) {
        double q = 1 / (1 + Math.exp(-epsilon));
        BinomialDistribution b = new BinomialDistribution(null, r, q);
        double beta = v == 0 ? 1 : 1 - b.cumulativeProbability(v - 1);
        if (delta == 0) {
            return beta;
        }
        // alpha = max over i in [1, v] of P(v - i <= X <= v - 1) / i. The masses are running sums of the
        // probability mass function from v - 1 down (log pmf by the ratio pmf(j - 1) / pmf(j) =
        // j (1 - q) / ((r - j + 1) q)): O(v) work instead of 2 v regularised-beta evaluations, and no
        // cancellation between two nearly equal distribution functions.
        double alpha = 0;
        double mass = 0;
        double logPmf = v >= 1 ? b.logProbability(v - 1) : Double.NEGATIVE_INFINITY;
        double logOdds = Math.log1p(-q) - Math.log(q);
        for (int i = 1; i <= v; i++) {
            int j = v - i; // the newest term is pmf(j)
            mass += Math.exp(logPmf);
            alpha = Math.max(alpha, mass / i);
            if (j > 0) {
                logPmf += Math.log(j) - Math.log(r - j + 1) + logOdds;
            }
        }
        return beta + alpha * delta * 2 * m;
    }

    /**
     * The audit's outcome.
     *
     * @param epsilon           the lower bound
     * @param canaries          m: canaries in the evaluation half
     * @param guesses           r
     * @param correct           v
     * @param positiveFraction  k<sup>+</sup>/m chosen on the selection half
     * @param negativeFraction  k<sup>-</sup>/m chosen on the selection half
     */
    public record Result(double epsilon, int canaries, int guesses, int correct, double positiveFraction,
                         double negativeFraction) {
    }

    /**
     * A one-run audit from membership scores: examples are split at random into a selection half,
     * on which the numbers of "in" and "out" guesses (as fractions, from a fixed grid) are chosen
     * to maximise the bound, and an evaluation half, on which the bound is computed. Valid only
     * when {@code member} was drawn by independent fair coins, independently of the scores'
     * randomness other than through training.
     *
     * @param scores     [m] membership scores (higher = member); not modified
     * @param member     [m] true inclusion
     * @param delta      in [0, 1)
     * @param confidence in (0, 1)
     * @param seed       seed of the split and of tie-breaking
     */
    public static Result fromScores(double[] scores, boolean[] member, double delta, double confidence, long seed) {
        if (!(delta >= 0 && delta < 1)) {
            throw new IllegalArgumentException("delta must be in [0, 1), got " + delta);
        }
        Checks.openUnitInterval("confidence", confidence);
        return fromScores(scores, member, seed,
                (canaries, guesses, correct) -> epsilonLowerBound(canaries, guesses, correct, delta, confidence));
    }

    /** A lower bound from the counts of one half: (m, r, v) -> epsilon. */
    @FunctionalInterface
    interface CountBound {
        double epsilon(int canaries, int guesses, int correct);
    }

    /**
     * The held-out procedure of {@link #fromScores(double[], boolean[], double, double, long)} for any
     * bound from counts (this class's and {@link GaussianDpOneRunAudit}'s).
     */
    static Result fromScores(double[] scores, boolean[] member, long seed, CountBound bound) {
        Checks.notNull("scores", scores);
        Checks.notNull("member", member);
        Checks.equalTo("member.length", member.length, "scores.length", scores.length);
        SplittableRandom random = new SplittableRandom(seed);
        int m = scores.length;
        double[] jitter = new double[m];
        for (int i = 0; i < m; i++) {
            jitter[i] = random.nextDouble();
        }
        List<Integer> selection = new ArrayList<>();
        List<Integer> evaluation = new ArrayList<>();
        int[] shuffled = Shuffles.permutation(m, random);
        for (int i = 0; i < m; i++) {
            (i < m / 2 ? selection : evaluation).add(shuffled[i]);
        }
        double bestEps = -1;
        double bestPos = 0;
        double bestNeg = 0;
        for (double pos : GUESS_FRACTIONS) {
            for (double neg : GUESS_FRACTIONS) {
                if (pos + neg == 0 || pos + neg > 1) {
                    continue;
                }
                int[] counts = guess(selection, scores, jitter, member, pos, neg);
                double eps = bound.epsilon(selection.size(), counts[0], counts[1]);
                if (eps > bestEps) {
                    bestEps = eps;
                    bestPos = pos;
                    bestNeg = neg;
                }
            }
        }
        int[] counts = guess(evaluation, scores, jitter, member, bestPos, bestNeg);
        return new Result(bound.epsilon(evaluation.size(), counts[0], counts[1]),
                evaluation.size(), counts[0], counts[1], bestPos, bestNeg);
    }

    static int[] guess(List<Integer> examples, double[] scores, double[] jitter, boolean[] member,
                               double positiveFraction, double negativeFraction) {
        Integer[] sorted = examples.toArray(new Integer[0]);
        Arrays.sort(sorted, (a, b) -> scores[a] != scores[b] ? Double.compare(scores[b], scores[a])
                : Double.compare(jitter[b], jitter[a]));
        int n = sorted.length;
        int kPos = (int) Math.round(positiveFraction * n);
        // Rounding both halves up can ask for n + 1 guesses when n is odd: never guess an example twice.
        int kNeg = Math.min(n - kPos, (int) Math.round(negativeFraction * n));
        int correct = 0;
        for (int i = 0; i < kPos; i++) {
            if (member[sorted[i]]) {
                correct++;
            }
        }
        for (int i = n - kNeg; i < n; i++) {
            if (!member[sorted[i]]) {
                correct++;
            }
        }
        return new int[] {kPos + kNeg, correct};
    }
}
