package io.github.dpsgd4j.audit.membership;

import io.github.dpsgd4j.audit.model.OutputPolicy;
import io.github.dpsgd4j.audit.stats.AttackMetrics;
import io.github.dpsgd4j.common.Checks;

import java.util.ArrayList;
import java.util.List;

/**
 * RMIA and LiRA against one target with the first k of a set of shadow (reference) models, for
 * several k: how strong each attack is for a given number of models trained. Shadows come in
 * complementary pairs ({@link ShadowModels}), so for even k every example is IN for k/2 of them;
 * LiRA needs an IN and an OUT model per example and is evaluated only for even k (for odd k the
 * last shadow's pair is missing). Offline RMIA ({@link Rmia#scoreOffline}, a tuned by
 * {@link Rmia#tuneOfflineA} on the same k models) needs an OUT model per example besides the one
 * that plays the target while a is tuned: it is evaluated for even k >= 4. Stateless and thread-safe.
 */
public final class ReferenceModelSweep {

    private ReferenceModelSweep() {
    }

    /**
     * The attacks with k reference models.
     *
     * @param models number of reference models k
     * @param rmia   RMIA ({@link Rmia#DEFAULT_GAMMA})
     * @param lira   LiRA online, or null where k is odd (some example would lack an IN or an OUT model)
     * @param rmiaOffline offline RMIA, or null where k is odd or below 4
     * @param offlineA    the a of {@code rmiaOffline} (NaN without it)
     */
    public record Entry(int models, AttackMetrics rmia, AttackMetrics lira, AttackMetrics rmiaOffline,
                        double offlineA) {
    }

    /**
     * Evaluates RMIA (online and offline) and LiRA (online) with the first k shadows for each k of {@code counts}.
     *
     * @param shadows      the shadows, in complementary pairs as {@link ShadowModels#train} makes them
     * @param targetLogits [n][K] the target's logits on the pool; not modified
     * @param labels       [n] true classes; not modified
     * @param member       [n] the target's true membership; not modified
     * @param counts       numbers of reference models, each in [1, shadows.count()]
     * @param policy       what the attacker sees of each model's output
     * @param variance     LiRA's variance mode
     * @param seed         seed of the held-out folds of {@link AttackMetrics}
     * @return one entry per count, in the order given
     */
    public static List<Entry> run(ShadowModels shadows, double[][] targetLogits, int[] labels, boolean[] member,
                                  int[] counts, OutputPolicy policy, VarianceMode variance, long seed) {
        Checks.notNull("shadows", shadows);
        Checks.notNull("counts", counts);
        Checks.notNull("member", member);
        Checks.equalTo("member.length", member.length, "pool size", shadows.size());
        List<Entry> out = new ArrayList<>();
        for (int k : counts) {
            ShadowModels first = shadows.first(k);
            double[] rmia = Rmia.score(first, targetLogits, labels, policy, Rmia.DEFAULT_GAMMA);
            AttackMetrics lira = null;
            if (k % 2 == 0) {
                lira = MembershipAudit.metrics(Lira.score(first, targetLogits, labels, policy, variance).online(),
                        member, seed);
            }
            AttackMetrics offline = null;
            double a = Double.NaN;
            if (k % 2 == 0 && k >= 4) {
                a = Rmia.tuneOfflineA(first, labels, policy, Rmia.DEFAULT_GAMMA);
                offline = MembershipAudit.metrics(Rmia.scoreOffline(first, targetLogits, labels, policy,
                        Rmia.DEFAULT_GAMMA, a), member, seed);
            }
            out.add(new Entry(k, MembershipAudit.metrics(rmia, member, seed), lira, offline, a));
        }
        return out;
    }
}
