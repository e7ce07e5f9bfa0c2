package io.github.dpsgd4j.accounting;

import io.github.dpsgd4j.accounting.rdp.RdpAccountant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one-sided calibration contract and the exact step-count boundary, over random settings. */
class NoiseCalibrationProperties {

    @Provide
    Arbitrary<Double> deltas() {
        return Arbitraries.doubles().between(-10, -3).map(e -> Math.pow(10, e));
    }

    @Provide
    Arbitrary<Double> sampleRates() {
        return Arbitraries.doubles().between(-3, 0).map(e -> Math.pow(10, e));
    }

    private static double epsilon(double sigma, double q, long steps, double delta) {
        return RdpAccountant.create().compose(DpEvent.dpSgd(sigma, q, steps)).epsilon(delta);
    }

    @Property(tries = 25)
    void noiseMultiplier_meetsTargetAndLiesWithinToleranceAboveTheRoot(
            @ForAll("sampleRates") double q, @ForAll @LongRange(min = 1, max = 20_000) long steps,
            @ForAll @DoubleRange(min = 0.2, max = 20) double targetEpsilon, @ForAll("deltas") double delta) {
        PrivacyBudget target = new PrivacyBudget(targetEpsilon, delta);
        double sigma = NoiseCalibration.noiseMultiplier(AccountantType.RDP, target, q, steps);
        assertTrue(epsilon(sigma, q, steps, delta) <= targetEpsilon, "sigma " + sigma + " meets the target");
        double below = sigma / (1 + NoiseCalibration.RELATIVE_TOLERANCE);
        assertTrue(epsilon(below, q, steps, delta) > targetEpsilon, "sigma " + sigma + " is within 1e-4 above the root");
    }

    @Property(tries = 40)
    void maxSteps_kStepsFitAndOneMoreDoesNot(
            @ForAll @DoubleRange(min = 0.5, max = 5) double sigma, @ForAll("sampleRates") double q,
            @ForAll @DoubleRange(min = 0.5, max = 20) double budgetEpsilon, @ForAll("deltas") double delta,
            @ForAll @DoubleRange(min = 0.5, max = 5) double historySigma, @ForAll @LongRange(min = 0, max = 5_000) long historySteps) {
        PrivacyBudget budget = new PrivacyBudget(budgetEpsilon, delta);
        DpEvent history = DpEvent.dpSgd(historySigma, 0.01, historySteps);
        RdpAccountant spent = RdpAccountant.create().compose(history);
        if (spent.epsilon(delta) > budgetEpsilon) {
            assertThrows(PrivacyBudgetExceededException.class,
                    () -> NoiseCalibration.maxSteps(AccountantType.RDP, history, sigma, q, budget));
            return;
        }
        long k = NoiseCalibration.maxSteps(AccountantType.RDP, history, sigma, q, budget);
        assertTrue(RdpAccountant.create().compose(history).compose(DpEvent.dpSgd(sigma, q, k)).epsilon(delta) <= budgetEpsilon,
                k + " steps fit");
        if (k < Long.MAX_VALUE) {
            assertTrue(RdpAccountant.create().compose(history).compose(DpEvent.dpSgd(sigma, q, k + 1)).epsilon(delta)
                    > budgetEpsilon, (k + 1) + " steps do not fit");
        }
    }
}
