package io.github.dpsgd4j.audit.epsilon;

import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.optimizers.DpSgdTrainer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Both directions of the Dirac gradient-canary audit (Nasr et al. 2023). Seeded: each run is
 * deterministic. The statistical claims behind the assertions: on the correct implementation the
 * 95% interval of mu contains a value whose epsilon is at most the accountant's (its lower end
 * exceeds it with probability <= 2.5%, and the chi-squared noise test at 99.9% rejects with
 * probability 0.1%); with sigma / 4 the noise ratio is 0.25 (about 60 standard errors from 1).
 */
class GradientCanaryAuditTest {

    /** C = 1, sigma = 1, q = 0.1, T = 20 steps per run, 100 runs per world, 100 real examples, delta = 1e-5. */
    private static final GradientCanaryAudit.Settings SETTINGS =
            new GradientCanaryAudit.Settings(1.0, 1.0, 0.1, 20, 100, 100, 1e-5);

    @Test
    void correctImplementation_neverExceedsAccountantEpsilon() {
        for (long seed = 1; seed <= 3; seed++) {
            GradientCanaryAudit.Result r = GradientCanaryAudit.run(SETTINGS, seed);
            assertTrue(r.noiseCalibrated(), "seed " + seed + ": " + r);
            assertFalse(r.violation(), "seed " + seed + ": " + r);
            assertTrue(r.epsilonLower() <= r.accountantEpsilon(), "seed " + seed + ": " + r);
            assertTrue(r.clopperPearsonEpsilon() <= r.accountantEpsilon(), "seed " + seed + ": " + r);
            assertEquals(1.0, r.noiseStdRatio(), 0.06, "seed " + seed);
            assertTrue(r.mu() > 0, "the canary is detectable at all: " + r);
        }
    }

    @Test
    void eachWorld_takesExactlyStepsTimesRuns_notWholeEpochs() {
        // q = 0.3: an epoch is ceil(1/q) = 4 steps; 5 runs of 5 steps = 25 steps, not a whole number of epochs.
        GradientCanaryAudit.Settings settings = new GradientCanaryAudit.Settings(1.0, 1.0, 0.3, 5, 5, 20, 1e-5);
        java.util.List<DpSgdTrainer> built = new java.util.ArrayList<>();
        GradientCanaryAudit.run(settings, (net, s, noise) -> {
            DpSgdTrainer t = GradientCanaryAudit.TrainerFactory.dpsgd4j().build(net, s, noise);
            built.add(t);
            return t;
        }, NoiseSource.seeded(3), 3);
        assertEquals(2, built.size());
        for (DpSgdTrainer t : built) {
            assertEquals(25, t.stepsTaken(), "the ledger of the audited trainer covers exactly T R steps");
        }
    }

    @Test
    void noiseScaledDownFourfold_isFlagged() {
        GradientCanaryAudit.Result r = GradientCanaryAudit.run(SETTINGS,
                (net, s, noise) -> DpSgdTrainer.builder(net).l2NormClip(s.l2NormClip())
                        .noiseMultiplier(s.noiseMultiplier() / 4).sampleRate(s.sampleRate()).noiseSource(noise).build(),
                NoiseSource.seeded(5), 5);
        assertTrue(r.violation(), r.toString());
        assertFalse(r.noiseCalibrated(), r.toString());
        assertEquals(0.25, r.noiseStdRatio(), 0.02);
        assertTrue(r.epsilonLower() > r.accountantEpsilon(), "the epsilon estimate alone exposes it: " + r);
    }

    @Test
    void withoutNoise_canaryContributesExactlyItsClippingNorm() {
        // sigma = 0 in the trainer: every step's projection is exactly C (sampled) or 0, so the
        // mean over steps is q C up to the sampling frequency and the noise ratio is 0.
        GradientCanaryAudit.Result r = GradientCanaryAudit.run(SETTINGS,
                (net, s, noise) -> DpSgdTrainer.builder(net).l2NormClip(s.l2NormClip()).noiseMultiplier(0)
                        .sampleRate(s.sampleRate()).noiseSource(noise).build(),
                NoiseSource.seeded(9), 9);
        assertEquals(0, r.noiseStdRatio(), 1e-6);
        // 2,000 Bernoulli(0.1) draws: sd of the frequency over q is 0.067; 4 sd bound.
        assertEquals(1.0, r.canaryMeanRatio(), 0.27);
        assertTrue(r.violation());
    }
}
