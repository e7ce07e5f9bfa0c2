package io.github.dpsgd4j.audit.membership;

import io.github.dpsgd4j.audit.model.OutputPolicy;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sweep over numbers of reference models. Planted signal (seeded): members' logit-scaled
 * confidence is 2 above an example's own difficulty (spread 1.5), the same for IN shadows; an
 * AUC above 0.75 is far outside the no-signal band (0.5 +- 0.04 for 500 / 500).
 */
class ReferenceModelSweepTest {

    private static final int N = 1000;
    private static final int SHADOWS = 4;

    @Test
    void entries_equalTheAttacksOnTheFirstKShadows_andLiraOnlyForEvenK() {
        SplittableRandom random = new SplittableRandom(3);
        boolean[][] keep = ShadowModels.balancedKeep(SHADOWS, N, new SplittableRandom(4));
        double[][][] logits = new double[SHADOWS][N][];
        double[][] target = new double[N][];
        boolean[] member = new boolean[N];
        int[] labels = new int[N];
        for (int i = 0; i < N; i++) {
            double difficulty = 1.5 * random.nextGaussian();
            member[i] = random.nextBoolean();
            target[i] = new double[] {difficulty + (member[i] ? 2 : 0) + 0.3 * random.nextGaussian(), 0};
            for (int s = 0; s < SHADOWS; s++) {
                logits[s][i] = new double[] {difficulty + (keep[s][i] ? 2 : 0) + 0.3 * random.nextGaussian(), 0};
            }
        }
        ShadowModels shadows = ShadowModels.of(keep, logits);
        List<ReferenceModelSweep.Entry> entries = ReferenceModelSweep.run(shadows, target, labels, member,
                new int[] {1, 2, 4}, OutputPolicy.fullConfidences(), VarianceMode.FIXED, 7);
        assertEquals(3, entries.size());
        assertNull(entries.get(0).lira(), "one model cannot give every example an IN and an OUT model");
        assertNull(entries.get(1).rmiaOffline(), "two models cannot tune a and still cover every example");
        assertTrue(Double.isNaN(entries.get(1).offlineA()));
        double a = Rmia.tuneOfflineA(shadows, labels, OutputPolicy.fullConfidences(), Rmia.DEFAULT_GAMMA);
        assertEquals(a, entries.get(2).offlineA(), 0.0);
        assertEquals(MembershipAudit.metrics(Rmia.scoreOffline(shadows, target, labels, OutputPolicy.fullConfidences(),
                Rmia.DEFAULT_GAMMA, a), member, 7).auc(), entries.get(2).rmiaOffline().auc(), 0.0);
        for (ReferenceModelSweep.Entry e : entries) {
            ShadowModels first = shadows.first(e.models());
            double[] rmia = Rmia.score(first, target, labels, OutputPolicy.fullConfidences(), Rmia.DEFAULT_GAMMA);
            assertEquals(MembershipAudit.metrics(rmia, member, 7).auc(), e.rmia().auc(), 0.0);
            if (e.models() > 1) {
                assertNotNull(e.lira());
                double[] lira = Lira.score(first, target, labels, OutputPolicy.fullConfidences(), VarianceMode.FIXED)
                        .online();
                assertEquals(MembershipAudit.metrics(lira, member, 7).auc(), e.lira().auc(), 0.0);
            }
        }
        assertTrue(entries.get(2).rmia().auc() > 0.75, "planted, RMIA: " + entries.get(2).rmia().auc());
        assertTrue(entries.get(2).lira().auc() > 0.75, "planted, LiRA: " + entries.get(2).lira().auc());
        assertTrue(entries.get(2).rmiaOffline().auc() > 0.75, "planted, offline RMIA: "
                + entries.get(2).rmiaOffline().auc());
        assertArrayEquals(new int[] {1, 2, 4}, entries.stream().mapToInt(ReferenceModelSweep.Entry::models).toArray());
    }

    @Test
    void countsOutsideTheShadowsTrained_areRefused() {
        boolean[][] keep = ShadowModels.balancedKeep(2, 4, new SplittableRandom(1));
        double[][][] logits = new double[2][4][];
        double[][] target = new double[4][];
        for (int i = 0; i < 4; i++) {
            target[i] = new double[] {0, 0};
            logits[0][i] = new double[] {0, 0};
            logits[1][i] = new double[] {0, 0};
        }
        ShadowModels shadows = ShadowModels.of(keep, logits);
        boolean[] member = {true, false, true, false};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReferenceModelSweep.run(
                shadows, target, new int[4], member, new int[] {3}, OutputPolicy.fullConfidences(),
                VarianceMode.FIXED, 1));
        assertEquals("k must be in [1, 2] (the shadow models trained), got 3", e.getMessage());
    }
}
