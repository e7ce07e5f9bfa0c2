package io.github.dpsgd4j.audit.membership;

import io.github.dpsgd4j.audit.stats.AttackMetrics;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RMIA from its definition. Seeded planted-signal tests: the no-signal AUC lies outside its 95% null
 * band with probability 5% per seed; the planted effect is 2 (target log-probability up by 2 for
 * members against per-example difficulties of spread 1.5), far above it.
 */
class RmiaTest {

    private static final int N = 1000;

    @Test
    void score_isTheFractionOfOtherExamplesWithLikelihoodRatioAtLeastGamma() {
        // One reference model; log ratios r = target - reference = {0, -1, 2}.
        double[][] reference = {{Math.log(0.5), Math.log(0.5), Math.log(0.1)}};
        double[] target = {Math.log(0.5), Math.log(0.5) - 1, Math.log(0.1) + 2};
        double[] s = Rmia.score(reference, target, 1.0);
        // x0 (r 0) beats x1 (r -1) only; x1 beats none; x2 beats both.
        assertArrayEquals(new double[] {0.5, 0.0, 1.0}, s, 1e-12);
        // gamma e: LR >= e means r_x - r_z >= 1: x0 vs x1 (1) yes; x2 vs x0 (2) yes, vs x1 (3) yes.
        assertArrayEquals(new double[] {0.5, 0.0, 1.0}, Rmia.score(reference, target, Math.E), 1e-12);
        // gamma e^2: x0 vs x1 (1) no.
        assertArrayEquals(new double[] {0.0, 0.0, 1.0}, Rmia.score(reference, target, Math.exp(2)), 1e-12);
    }

    @Test
    void plantedMembership_isFoundWithOneReferenceModel_andNoSignalStaysInsideTheNullBand() {
        for (double effect : new double[] {2.0, 0.0}) {
            SplittableRandom random = new SplittableRandom(effect > 0 ? 5 : 6);
            boolean[] member = new boolean[N];
            double[][] reference = new double[1][N];
            double[] target = new double[N];
            for (int i = 0; i < N; i++) {
                member[i] = random.nextBoolean();
                double difficulty = -Math.abs(1.5 * random.nextGaussian()) - 0.01;
                boolean referenceIn = random.nextBoolean();
                reference[0][i] = Math.min(0, difficulty + (referenceIn ? effect : 0) + 0.2 * random.nextGaussian());
                target[i] = Math.min(0, difficulty + (member[i] ? effect : 0) + 0.2 * random.nextGaussian());
            }
            AttackMetrics m = MembershipAudit.metrics(Rmia.score(reference, target, 1.0), member, 1);
            if (effect > 0) {
                assertTrue(m.auc() > 0.75, "planted: " + m.auc());
            } else {
                assertTrue(Math.abs(m.auc() - 0.5) <= m.aucNullHalfWidth(), "no signal: " + m.auc());
            }
        }
    }

    @Test
    void logProbability_isStableForExtremeConfidences() {
        assertEquals(Math.log(0.5), Rmia.logProbability(0), 1e-15);
        assertEquals(-800, Rmia.logProbability(-800), 1e-9);
        assertEquals(-Math.exp(-800), Rmia.logProbability(800), 1e-300);
    }

    @Test
    void badInput_isRefusedWithItsName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Rmia.score(new double[][] {{-1, 0.5}}, new double[] {-1, -1}, 1));
        assertTrue(e.getMessage().contains("referenceLogProbabilities[1]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Rmia.score(new double[][] {{-1, -1}}, new double[] {-1, -1}, 0));
        assertThrows(IllegalArgumentException.class, () -> Rmia.score(new double[0][], new double[] {-1, -1}, 1));
    }

    /** Logits [phi, 0] with label 0: the logit-scaled confidence is phi. */
    private static double[] phi(double value) {
        return new double[] {value, 0};
    }

    @Test
    void offline_usesOnlyOutModelsWithTheLinearCorrection() {
        // Two complementary reference models over 3 examples; example i is OUT for model out[i].
        boolean[][] keep = {{true, false, true}, {false, true, false}};
        double[] p = {0.2, 0.5, 0.9}; // OUT probability of each example
        double[][][] logits = new double[2][3][];
        for (int i = 0; i < 3; i++) {
            int outModel = keep[0][i] ? 1 : 0;
            logits[outModel][i] = phi(Math.log(p[i] / (1 - p[i])));
            logits[1 - outModel][i] = phi(5); // the IN model: must be ignored
        }
        double[] t = {0.4, 0.4, 0.95};
        double[][] target = new double[3][];
        for (int i = 0; i < 3; i++) {
            target[i] = phi(Math.log(t[i] / (1 - t[i])));
        }
        ShadowModels refs = ShadowModels.of(keep, logits);
        int[] labels = new int[3];
        double a = 0.4;
        double[] ratio = new double[3];
        for (int i = 0; i < 3; i++) {
            ratio[i] = t[i] / ((1 + a) / 2 * p[i] + (1 - a) / 2);
        }
        double[] s = Rmia.scoreOffline(refs, target, labels, io.github.dpsgd4j.audit.model.OutputPolicy.fullConfidences(), 1.0, a);
        for (int i = 0; i < 3; i++) {
            int beats = 0;
            for (int j = 0; j < 3; j++) {
                beats += j != i && ratio[i] / ratio[j] >= 1 ? 1 : 0;
            }
            assertEquals(beats / 2.0, s[i], 1e-12, "example " + i);
        }
        // a = 1: Pr(x) is the OUT mean itself, the online formula with the OUT model as the only reference.
        double[][] outOnly = new double[1][3];
        double[] targetLog = new double[3];
        for (int i = 0; i < 3; i++) {
            outOnly[0][i] = Math.log(p[i]);
            targetLog[i] = Math.log(t[i]);
        }
        assertArrayEquals(Rmia.score(outOnly, targetLog, 1.0), Rmia.scoreOffline(refs, target, labels,
                io.github.dpsgd4j.audit.model.OutputPolicy.fullConfidences(), 1.0, 1.0), 1e-12);
    }

    @Test
    void offline_refusesExamplesWithoutAnOutModelAndAOutsideTheUnitInterval() {
        boolean[][] keep = {{true, false, true}};
        double[][][] logits = {{phi(0), phi(0), phi(0)}};
        ShadowModels refs = ShadowModels.of(keep, logits);
        double[][] target = {phi(0), phi(0), phi(0)};
        io.github.dpsgd4j.audit.model.OutputPolicy full = io.github.dpsgd4j.audit.model.OutputPolicy.fullConfidences();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Rmia.scoreOffline(refs, target, new int[3], full, 1.0, 0.5));
        assertTrue(e.getMessage().startsWith("example 0 has no reference model that left it out"), e.getMessage());
        IllegalArgumentException badA = assertThrows(IllegalArgumentException.class,
                () -> Rmia.scoreOffline(refs, target, new int[3], full, 1.0, 1.5));
        assertEquals("a must be in [0, 1], got 1.5", badA.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Rmia.tuneOfflineA(refs, new int[3], full, 1.0));
    }

    /**
     * Planted signal with 8 reference models in complementary pairs (seeded): offline RMIA with the
     * tuned a finds members (AUC above 0.75, far outside the no-signal band 0.5 +- 0.036), and with no
     * signal its AUC stays inside the 95% null band (false-failure rate 5% per seed).
     */
    @Test
    void offline_plantedMembershipIsFound_andNoSignalStaysInsideTheNullBand() {
        for (double effect : new double[] {2.0, 0.0}) {
            SplittableRandom random = new SplittableRandom(effect > 0 ? 11 : 12);
            int models = 8;
            boolean[][] keep = ShadowModels.balancedKeep(models, N, new SplittableRandom(13));
            double[][][] logits = new double[models][N][];
            double[][] target = new double[N][];
            boolean[] member = new boolean[N];
            for (int i = 0; i < N; i++) {
                double difficulty = 1.5 * random.nextGaussian();
                member[i] = random.nextBoolean();
                target[i] = phi(difficulty + (member[i] ? effect : 0) + 0.3 * random.nextGaussian());
                for (int s = 0; s < models; s++) {
                    logits[s][i] = phi(difficulty + (keep[s][i] ? effect : 0) + 0.3 * random.nextGaussian());
                }
            }
            ShadowModels refs = ShadowModels.of(keep, logits);
            io.github.dpsgd4j.audit.model.OutputPolicy full = io.github.dpsgd4j.audit.model.OutputPolicy.fullConfidences();
            double a = Rmia.tuneOfflineA(refs, new int[N], full, 1.0);
            assertTrue(a >= 0 && a <= 1);
            AttackMetrics m = MembershipAudit.metrics(Rmia.scoreOffline(refs, target, new int[N], full, 1.0, a),
                    member, 1);
            if (effect > 0) {
                assertTrue(m.auc() > 0.75, "planted: " + m.auc() + " at a = " + a);
            } else {
                assertTrue(Math.abs(m.auc() - 0.5) <= m.aucNullHalfWidth(), "no signal: " + m.auc());
            }
        }
    }
}
