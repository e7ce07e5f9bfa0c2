package io.github.dpsgd4j.audit.membership;

import io.github.dpsgd4j.audit.model.OutputPolicy;
import io.github.dpsgd4j.audit.stats.AttackMetrics;
import io.github.dpsgd4j.common.Checks;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs the loss-threshold attack, LiRA (online and offline) and RMIA (online and, with at least four
 * shadows, offline) against one target model on a pool of members and non-members, through one or
 * more output policies, and evaluates each with {@link AttackMetrics} (thresholds chosen on held-out
 * folds). Stateless and thread-safe.
 */
public final class MembershipAudit {

    private MembershipAudit() {
    }

    /**
     * The attacks through one output policy.
     *
     * @param policy      the policy's name ("full", "top-1", ...)
     * @param loss        loss-threshold attack
     * @param liraOnline  LiRA, online
     * @param liraOffline LiRA, offline
     * @param liraOnlineScores the online scores per pool example (for one-run epsilon bounds and plots)
     * @param rmia        RMIA with the same shadows as reference models (null when built with the
     *                    four-argument constructor of earlier versions)
     * @param rmiaScores  RMIA scores per pool example (null with {@code rmia})
     * @param rmiaOffline offline RMIA ({@link Rmia#scoreOffline}, a tuned by {@link Rmia#tuneOfflineA} on the
     *                    shadows), or null where the shadows do not allow it ({@link #offlineRmiaPossible})
     * @param rmiaOfflineScores offline RMIA scores per pool example (null with {@code rmiaOffline})
     * @param rmiaOfflineA the tuned a in [0, 1] of {@code rmiaOffline} (NaN without it)
     */
    public record Result(String policy, AttackMetrics loss, AttackMetrics liraOnline, AttackMetrics liraOffline,
                         double[] liraOnlineScores, AttackMetrics rmia, double[] rmiaScores,
                         AttackMetrics rmiaOffline, double[] rmiaOfflineScores, double rmiaOfflineA) {

        /** The results without offline RMIA. */
        public Result(String policy, AttackMetrics loss, AttackMetrics liraOnline, AttackMetrics liraOffline,
                      double[] liraOnlineScores, AttackMetrics rmia, double[] rmiaScores) {
            this(policy, loss, liraOnline, liraOffline, liraOnlineScores, rmia, rmiaScores, null, null, Double.NaN);
        }

        /** The results of version 0.1.0, without RMIA. */
        public Result(String policy, AttackMetrics loss, AttackMetrics liraOnline, AttackMetrics liraOffline,
                      double[] liraOnlineScores) {
            this(policy, loss, liraOnline, liraOffline, liraOnlineScores, null, null);
        }
    }

    /**
     * Attacks the target.
     *
     * @param shadows      shadow models on the pool
     * @param targetLogits [n][K] the target's logits on the pool
     * @param labels       [n] true classes
     * @param member       [n] whether each pool example is a member of the target's training set
     * @param policies     output policies to attack through (at least one)
     * @param variance     LiRA variance mode
     * @param seed         seed of the held-out fold split
     */
    public static List<Result> run(ShadowModels shadows, double[][] targetLogits, int[] labels, boolean[] member,
                                   List<OutputPolicy> policies, VarianceMode variance, long seed) {
        Checks.notNull("member", member);
        Checks.notNull("policies", policies);
        if (policies.isEmpty()) {
            throw new IllegalArgumentException("policies must hold at least one policy, got none");
        }
        Checks.equalTo("member.length", member.length, "labels.length", labels.length);
        List<Result> results = new ArrayList<>();
        for (OutputPolicy policy : policies) {
            double[] loss = LossThresholdAttack.scores(targetLogits, labels, policy);
            Lira.Scores lira = Lira.score(shadows, targetLogits, labels, policy, variance);
            double[] rmia = Rmia.score(shadows, targetLogits, labels, policy, Rmia.DEFAULT_GAMMA);
            AttackMetrics offline = null;
            double[] offlineScores = null;
            double a = Double.NaN;
            if (offlineRmiaPossible(shadows)) {
                a = Rmia.tuneOfflineA(shadows, labels, policy, Rmia.DEFAULT_GAMMA);
                offlineScores = Rmia.scoreOffline(shadows, targetLogits, labels, policy, Rmia.DEFAULT_GAMMA, a);
                offline = metrics(offlineScores, member, seed);
            }
            results.add(new Result(policy.name(), metrics(loss, member, seed), metrics(lira.online(), member, seed),
                    metrics(lira.offline(), member, seed), lira.online(), metrics(rmia, member, seed), rmia,
                    offline, offlineScores, a));
        }
        return results;
    }

    /**
     * Whether offline RMIA can run on these shadows: at least 3 of them, and every example left out
     * by one of shadows 1..S-1 (shadow 0 plays the target while a is tuned). Shadows made by
     * {@link ShadowModels#train} in complementary pairs qualify from 4 on.
     */
    public static boolean offlineRmiaPossible(ShadowModels shadows) {
        Checks.notNull("shadows", shadows);
        if (shadows.count() < 3) {
            return false;
        }
        for (int i = 0; i < shadows.size(); i++) {
            boolean out = false;
            for (int s = 1; s < shadows.count() && !out; s++) {
                out = !shadows.kept(s, i);
            }
            if (!out) {
                return false;
            }
        }
        return true;
    }

    /** Splits scores by membership and evaluates them. */
    public static AttackMetrics metrics(double[] scores, boolean[] member, long seed) {
        int in = 0;
        for (boolean m : member) {
            if (m) {
                in++;
            }
        }
        double[] a = new double[in];
        double[] b = new double[member.length - in];
        int ia = 0;
        int ib = 0;
        for (int i = 0; i < member.length; i++) {
            if (member[i]) {
                a[ia++] = scores[i];
            } else {
                b[ib++] = scores[i];
            }
        }
        return AttackMetrics.evaluate(a, b, seed);
    }
}
