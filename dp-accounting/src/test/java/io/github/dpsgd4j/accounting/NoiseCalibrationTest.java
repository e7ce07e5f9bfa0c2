package io.github.dpsgd4j.accounting;

import io.github.dpsgd4j.accounting.rdp.RdpAccountant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NoiseCalibrationTest {

    private static final double MNIST_Q = 256 / 60000.0;
    private static final ComposedEvent NO_HISTORY = new ComposedEvent(List.of());

    private static void assertRejected(String mention, Executable action) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, action);
        assertTrue(ex.getMessage().contains(mention), "message names " + mention + ": " + ex.getMessage());
    }

    private static double rdpEpsilon(double sigma, double q, long steps, double delta) {
        return RdpAccountant.create().compose(DpEvent.dpSgd(sigma, q, steps)).epsilon(delta);
    }

    // ---- noise multiplier ----

    @Test
    void noiseMultiplier_meetsTargetAndIsWithinToleranceOfTheRoot() {
        PrivacyBudget target = new PrivacyBudget(3, 1e-5);
        double sigma = NoiseCalibration.noiseMultiplier(AccountantType.RDP, target, MNIST_Q, 14063);
        assertTrue(rdpEpsilon(sigma, MNIST_Q, 14063, 1e-5) <= 3);
        assertTrue(rdpEpsilon(sigma / (1 + NoiseCalibration.RELATIVE_TOLERANCE), MNIST_Q, 14063, 1e-5) > 3);
    }

    @Test
    void noiseMultiplier_genericPathStartsFromRdpAndCostsFewEvaluations() {
        AtomicInteger queries = new AtomicInteger();
        PrivacyBudget target = new PrivacyBudget(8, 1e-5);
        double generic = NoiseCalibration.noiseMultiplier(
                () -> new CountingAccountant(RdpAccountant.create(), AccountantType.PLD, queries), target, 0.04, 2250);
        double direct = NoiseCalibration.noiseMultiplier(AccountantType.RDP, target, 0.04, 2250);
        assertTrue(rdpEpsilon(generic, 0.04, 2250, 1e-5) <= 8);
        assertTrue(Math.abs(generic / direct - 1) <= NoiseCalibration.RELATIVE_TOLERANCE, generic + " vs " + direct);
        assertTrue(queries.get() <= 6, "a good start needs few evaluations, used " + queries.get());
    }

    @Test
    void noiseMultiplier_rdpPathCostsFewEvaluations() {
        for (double[] setting : new double[][] {{0.04, 2250, 8}, {MNIST_Q, 14063, 3}, {0.01, 1000, 1}, {1, 1, 1},
                {0.001, 100000, 0.1}, {0.01, 10, 0.5}}) {
            AtomicInteger queries = new AtomicInteger();
            NoiseCalibration.noiseMultiplier(() -> new CountingAccountant(RdpAccountant.create(), AccountantType.RDP, queries),
                    new PrivacyBudget(setting[2], 1e-5), setting[0], (long) setting[1]);
            assertTrue(queries.get() <= 14, "evaluations " + queries.get() + " for " + java.util.Arrays.toString(setting));
        }
    }

    @Test
    void noiseMultiplier_rejectsInvalidArguments() {
        PrivacyBudget target = new PrivacyBudget(1, 1e-5);
        assertRejected("sampleRate", () -> NoiseCalibration.noiseMultiplier(AccountantType.RDP, target, 0, 100));
        assertRejected("sampleRate", () -> NoiseCalibration.noiseMultiplier(AccountantType.RDP, target, 1.5, 100));
        assertRejected("sampleRate", () -> NoiseCalibration.noiseMultiplier(AccountantType.RDP, target, Double.NaN, 100));
        assertRejected("steps", () -> NoiseCalibration.noiseMultiplier(AccountantType.RDP, target, 0.1, 0));
        assertRejected("steps", () -> NoiseCalibration.noiseMultiplier(AccountantType.RDP, target, 0.1, -5));
        assertRejected("target", () -> NoiseCalibration.noiseMultiplier(AccountantType.RDP, null, 0.1, 5));
        assertRejected("type", () -> NoiseCalibration.noiseMultiplier((AccountantType) null, target, 0.1, 5));
    }

    @Test
    void noiseMultiplier_unreachableTargets_areClearErrors() {
        assertRejected("too strict", () -> NoiseCalibration.noiseMultiplier(AccountantType.RDP,
                new PrivacyBudget(1e-9, 1e-5), 1, 1_000_000));
        assertRejected("too loose", () -> NoiseCalibration.noiseMultiplier(AccountantType.RDP,
                new PrivacyBudget(1e15, 1e-5), 1, 1));
    }

    // ---- max steps ----

    @Test
    void maxSteps_mnistBudget_isExactAtTheBoundary() {
        PrivacyBudget budget = new PrivacyBudget(3, 1e-5);
        long k = NoiseCalibration.maxSteps(AccountantType.RDP, 1.1, MNIST_Q, budget);
        assertTrue(k > 14063, "epsilon 2.6 at 14063 steps leaves room: " + k);
        assertTrue(rdpEpsilon(1.1, MNIST_Q, k, 1e-5) <= 3);
        assertTrue(rdpEpsilon(1.1, MNIST_Q, k + 1, 1e-5) > 3);
    }

    @Test
    void maxSteps_equalsComposingOneStepAtATimeUntilTheBudgetRefuses() {
        DpEvent history = DpEvent.composed(DpEvent.dpSgd(0.9, 0.02, 30), new GaussianEvent(20));
        PrivacyBudget budget = new PrivacyBudget(3, 1e-6);
        long k = NoiseCalibration.maxSteps(AccountantType.RDP, history, 1.0, 0.02, budget);
        RdpAccountant trainer = RdpAccountant.create().compose(history);
        DpEvent step = new PoissonSampledEvent(0.02, new GaussianEvent(1.0));
        long taken = 0;
        while (trainer.epsilonAfter(step, budget.delta()) <= budget.epsilon()) {
            trainer.compose(step);
            taken++;
        }
        assertEquals(k, taken);
        assertTrue(k > 10, "the setting leaves room for some steps: " + k);
    }

    @Test
    void maxSteps_genericPathAgreesWithRdpFastPath() {
        for (double[] s : new double[][] {{1.1, MNIST_Q, 3}, {0.7, 0.01, 1}, {2.0, 0.5, 5}, {1.0, 1.0, 10}}) {
            PrivacyBudget budget = new PrivacyBudget(s[2], 1e-5);
            DpEvent history = DpEvent.dpSgd(1.5, 0.01, 100);
            long fast = NoiseCalibration.maxSteps(AccountantType.RDP, history, s[0], s[1], budget);
            for (AccountantType claimed : AccountantType.values()) {
                AtomicInteger queries = new AtomicInteger();
                PrivacyAccountant generic = new CountingAccountant(RdpAccountant.create(), claimed, queries).compose(history);
                assertEquals(fast, NoiseCalibration.maxSteps(generic, s[0], s[1], budget), claimed + " " + fast);
            }
        }
    }

    @Test
    void maxSteps_genericPathWithRdpStartCostsFewEvaluations() {
        AtomicInteger queries = new AtomicInteger();
        PrivacyAccountant generic = new CountingAccountant(RdpAccountant.create(), AccountantType.PLD, queries);
        long k = NoiseCalibration.maxSteps(generic, 1.1, MNIST_Q, new PrivacyBudget(3, 1e-5));
        assertTrue(k > 14063);
        assertTrue(queries.get() <= 8, "evaluations: " + queries.get());
    }

    @Test
    void maxSteps_historyOverBudget_isRefused() {
        DpEvent history = DpEvent.dpSgd(0.5, 0.1, 1000);
        PrivacyBudget budget = new PrivacyBudget(1, 1e-5);
        PrivacyBudgetExceededException ex = assertThrows(PrivacyBudgetExceededException.class,
                () -> NoiseCalibration.maxSteps(AccountantType.RDP, history, 1, 0.01, budget));
        assertEquals(budget, ex.budget());
        assertTrue(ex.epsilonAfter() > 1);
    }

    @Test
    void maxSteps_noNoise_allowsNoStep_andNegligibleCost_allowsEveryCount() {
        assertEquals(0, NoiseCalibration.maxSteps(AccountantType.RDP, 0, 0.01, new PrivacyBudget(10, 1e-5)));
        assertEquals(Long.MAX_VALUE, NoiseCalibration.maxSteps(AccountantType.RDP, 1e7, 1e-6, new PrivacyBudget(1, 1e-5)));
    }

    @Test
    void maxSteps_rejectsInvalidArguments() {
        PrivacyBudget budget = new PrivacyBudget(1, 1e-5);
        assertRejected("noiseMultiplier", () -> NoiseCalibration.maxSteps(AccountantType.RDP, Double.NaN, 0.01, budget));
        assertRejected("noiseMultiplier", () -> NoiseCalibration.maxSteps(AccountantType.RDP, -1, 0.01, budget));
        assertRejected("sampleRate", () -> NoiseCalibration.maxSteps(AccountantType.RDP, 1, 0, budget));
        assertRejected("sampleRate", () -> NoiseCalibration.maxSteps(AccountantType.RDP, 1, 1.01, budget));
        assertRejected("budget", () -> NoiseCalibration.maxSteps(AccountantType.RDP, 1, 0.1, null));
        assertRejected("history", () -> NoiseCalibration.maxSteps(AccountantType.RDP, null, 1, 0.1, budget));
        assertRejected("type", () -> NoiseCalibration.maxSteps(null, NO_HISTORY, 1, 0.1, budget));
        assertRejected("accountant", () -> NoiseCalibration.maxSteps((PrivacyAccountant) null, 1, 0.1, budget));
    }
}
