package io.github.dpsgd4j.audit.epsilon;

import io.github.dpsgd4j.audit.stats.Normal;
import io.github.dpsgd4j.common.Checks;

/**
 * The f-DP one-run audit with Gaussian trade-off curves (Mahloujifar, Melis and Chaudhuri 2025,
 * "Auditing f-differential privacy in one run", ICML, PMLR 267), beside the (epsilon, delta)
 * one-run audit of {@link OneRunAudit}: the same game (m canaries, each included by a fair coin,
 * one training run; the auditor makes r guesses and v are right), but the hypothesis tested is
 * "the mechanism is mu-GDP", using the whole trade-off curve G<sub>mu</sub> instead of one
 * (epsilon, delta) pair, which gives tighter bounds at the same counts.
 *
 * <p>For a candidate mu, with the inverse blow-up g(x) = Phi(Phi<sup>-1</sup>(x) - mu), level
 * tau = (1 - confidence) r / m, a = tau v / r and b = tau (r - v) / r, the recursion
 * <pre>h[v] = b, s[v] = a;  for i = v-1 .. 0:  h[i] = max(h[i+1], g(s[i+1])),
 *                                          s[i] = s[i+1] + i / (r - i) (h[i] - h[i+1])</pre>
 * decides the test: mu is consistent with the observation iff s[0] + h[0] &lt;= r / m. Consistency
 * grows with mu; the bound is the largest mu that is rejected (found by bisection), converted to
 * epsilon at delta by {@link GaussianDp} (Dong, Roth and Su 2022, Corollary 2.13). The method and
 * its recursion follow the paper's description and Meta's PrivacyGuard implementation as
 * summarised in the project's reference notes; the code here is written from that description.
 *
 * <p>Stateless and thread-safe.
 */
public final class GaussianDpOneRunAudit {

    /** Largest mu searched (mu = 30 is epsilon above 400 at any usual delta). */
    static final double MAX_MU = 30;

    private GaussianDpOneRunAudit() {
    }

    /**
     * The largest mu rejected at {@code confidence}: the mechanism is not mu'-GDP for any mu' &lt;= it.
     *
     * @param canaries   m > 0
     * @param guesses    r in [0, m]
     * @param correct    v in [0, r]
     * @param confidence in (0, 1), e.g. 0.95
     * @return mu lower bound in [0, {@value #MAX_MU}] (0 when mu = 0 is not rejected)
     */
    public static double muLowerBound(int canaries, int guesses, int correct, double confidence) {
        Checks.positive("canaries", canaries);
        if (guesses < 0 || guesses > canaries) {
            throw new IllegalArgumentException("guesses must be in [0, canaries = " + canaries + "], got " + guesses);
        }
        if (correct < 0 || correct > guesses) {
            throw new IllegalArgumentException("correct must be in [0, guesses = " + guesses + "], got " + correct);
        }
        Checks.openUnitInterval("confidence", confidence);
        if (guesses == 0 || consistent(0, canaries, guesses, correct, confidence)) {
            return 0;
        }
        if (!consistent(MAX_MU, canaries, guesses, correct, confidence)) {
            return MAX_MU;
        }
        double lo = 0;
        double hi = MAX_MU;
        // mu to 1e-4 (epsilon to about 1e-3 at usual deltas): each test walks v steps of the recursion.
        for (int it = 0; it < 60 && hi - lo > 1e-4; it++) {
            double mid = (lo + hi) / 2;
            if (consistent(mid, canaries, guesses, correct, confidence)) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return lo;
    }

    /**
     * The epsilon lower bound at {@code delta} implied by {@link #muLowerBound}.
     *
     * @param delta in (0, 1)
     * @return >= 0
     */
    public static double epsilonLowerBound(int canaries, int guesses, int correct, double delta, double confidence) {
        Checks.openUnitInterval("delta", delta);
        double mu = muLowerBound(canaries, guesses, correct, confidence);
        return mu == 0 ? 0 : GaussianDp.epsilon(mu, delta);
    }

    /**
     * A held-out one-run audit from membership scores, as {@link OneRunAudit#fromScores} (the guess
     * counts are chosen on one random half of the examples, the bound computed on the other), with
     * this class's bound. Valid only when {@code member} was drawn by independent fair coins.
     *
     * @param scores     [m] membership scores (higher = member); not modified
     * @param member     [m] true inclusion
     * @param delta      in (0, 1)
     * @param confidence in (0, 1)
     * @param seed       seed of the split and of tie-breaking
     * @return the result; its {@code epsilon} is the GDP-based bound
     */
    public static OneRunAudit.Result fromScores(double[] scores, boolean[] member, double delta, double confidence,
                                                long seed) {
        Checks.openUnitInterval("delta", delta);
        Checks.openUnitInterval("confidence", confidence);
        return OneRunAudit.fromScores(scores, member, seed,
                (m, r, v) -> epsilonLowerBound(m, r, v, delta, confidence));
    }

    static boolean consistent(double mu, int m, int r, int v, double confidence) {
        double tau = (1 - confidence) * r / m;
        double h = tau * (r - v) / r;
        double s = tau * v / r;
        for (int i = v - 1; i >= 0; i--) {
            double hNext = h;
            h = Math.max(hNext, inverseBlowUp(s, mu));
            s = s + (double) i / (r - i) * (h - hNext);
        }
        return s + h <= (double) r / m;
    }

    /** Phi(Phi^-1(x) - mu), for x in [0, 1]. */
    static double inverseBlowUp(double x, double mu) {
        if (x <= 0) {
            return 0;
        }
        if (x >= 1) {
            return 1;
        }
        return Normal.cdf(Normal.quantile(x) - mu);
    }
}
