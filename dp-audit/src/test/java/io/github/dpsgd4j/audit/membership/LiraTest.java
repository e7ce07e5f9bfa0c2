package io.github.dpsgd4j.audit.membership;

import io.github.dpsgd4j.audit.stats.AttackMetrics;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LiRA on synthetic statistics with planted membership: each example has its own difficulty
 * (a per-example offset spread much wider than the membership effect), and training on it adds
 * +1 to its statistic. A global threshold on the statistic (what the loss attack does) barely
 * sees membership; LiRA calibrates per example and does. Seeded; the margins are many standard
 * errors wide.
 */
class LiraTest {

    private static final int N = 1000;
    private static final int SHADOWS = 16;

    private record Planted(double[][] shadow, boolean[][] keep, double[] target, boolean[] member) {
    }

    private static Planted planted(double effect, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] difficulty = new double[N];
        boolean[] member = new boolean[N];
        double[] target = new double[N];
        for (int i = 0; i < N; i++) {
            difficulty[i] = 4 * random.nextGaussian();
            member[i] = random.nextBoolean();
            target[i] = difficulty[i] + (member[i] ? effect : 0) + 0.3 * random.nextGaussian();
        }
        boolean[][] keep = ShadowModels.balancedKeep(SHADOWS, N, random);
        double[][] shadow = new double[SHADOWS][N];
        for (int s = 0; s < SHADOWS; s++) {
            for (int i = 0; i < N; i++) {
                shadow[s][i] = difficulty[i] + (keep[s][i] ? effect : 0) + 0.3 * random.nextGaussian();
            }
        }
        return new Planted(shadow, keep, target, member);
    }

    @Test
    void plantedMembership_isFoundByLiraButNotByAGlobalThreshold() {
        Planted p = planted(1.0, 1);
        Lira.Scores scores = Lira.score(p.shadow(), p.keep(), p.target(), VarianceMode.FIXED);
        AttackMetrics online = MembershipAudit.metrics(scores.online(), p.member(), 1);
        AttackMetrics offline = MembershipAudit.metrics(scores.offline(), p.member(), 1);
        AttackMetrics global = MembershipAudit.metrics(p.target(), p.member(), 1);
        assertTrue(online.auc() > 0.95, "online " + online.auc());
        assertTrue(offline.auc() > 0.9, "offline " + offline.auc());
        assertTrue(global.auc() < 0.62, "global threshold " + global.auc());
        assertTrue(online.atFpr(0.1).tpr() > 0.8, "online TPR at 10% FPR " + online.atFpr(0.1));
    }

    @Test
    void noMembershipEffect_leavesLiraInsideNullBand() {
        Planted p = planted(0.0, 2);
        Lira.Scores scores = Lira.score(p.shadow(), p.keep(), p.target(), VarianceMode.PER_EXAMPLE);
        AttackMetrics online = MembershipAudit.metrics(scores.online(), p.member(), 2);
        assertTrue(Math.abs(online.auc() - 0.5) < online.aucNullHalfWidth(), "auc " + online.auc());
    }

    @Test
    void balancedKeep_putsEveryExampleInExactlyHalfTheShadows() {
        boolean[][] keep = ShadowModels.balancedKeep(16, 300, new SplittableRandom(4));
        for (int i = 0; i < 300; i++) {
            int in = 0;
            for (int s = 0; s < 16; s++) {
                in += keep[s][i] ? 1 : 0;
            }
            assertEquals(8, in);
        }
    }

    @Test
    void median_ofEvenAndOddCounts() {
        assertEquals(2, Lira.median(new double[] {3, 1, 2}));
        assertEquals(2.5, Lira.median(new double[] {4, 1, 2, 3}));
    }

    @Test
    void score_refusesExampleWithoutOutShadows() {
        boolean[][] keep = {{true}, {true}};
        assertThrows(IllegalArgumentException.class,
                () -> Lira.score(new double[][] {{1}, {2}}, keep, new double[] {1}, VarianceMode.FIXED));
    }
}
