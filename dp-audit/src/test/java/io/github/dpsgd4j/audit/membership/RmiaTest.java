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
}
