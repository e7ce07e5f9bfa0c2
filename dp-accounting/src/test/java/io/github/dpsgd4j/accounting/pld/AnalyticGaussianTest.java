package io.github.dpsgd4j.accounting.pld;

import io.github.dpsgd4j.accounting.DpEvent;
import io.github.dpsgd4j.accounting.GaussianEvent;
import io.github.dpsgd4j.accounting.SelfComposedEvent;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PLD accountant against the exact epsilon of the unsampled Gaussian mechanism (Balle and Wang
 * 2018, Theorem 8), for one Gaussian and for T-fold compositions (exactly a Gaussian with noise
 * multiplier {@code sigma / sqrt(T)}). One-sided: the PLD must never be below the exact value, and
 * within 1e-4 relative of it at the default interval. The reference is {@link AnalyticGaussian#epsilonLowerBound}, the
 * lower end of a bisection bracket, so the one-sided check has no tolerance.
 */
class AnalyticGaussianTest {

    /**
     * The interval of the property tests. The discretised curve passes through the exact deltas
     * at the grid points, so the PLD epsilon lies in the exact epsilon's grid cell: at most one
     * interval above it. Between grid points the interpolation (linear in e^epsilon) is off by
     * about interval^2 times the loss density, which dominates 1e-4 relative only for epsilons
     * below about 0.01: over 3000 random (sigma, delta) at 1e-3 the excess beyond 1e-4 relative
     * stayed below 0.2% of a cell. The property tests therefore assert the rigorous cell bound and
     * 1e-4 relative plus 1% of a cell.
     */
    private static final double COARSE = 1e-3;

    @ParameterizedTest(name = "sigma {0}, T {1}, delta {2}")
    @CsvSource({
            "0.5, 1, 0.1",
            "1.0, 1, 0.01",
            "3.0, 1, 0.001",
            "1.0, 1, 1e-5",
            "3.7306316348159374, 1, 1e-5",
            "0.7, 2, 1e-5",
            "1.0, 5, 1e-6",
            "2.0, 100, 1e-9",
            "10.0, 400, 1e-10",
            "5.0, 3, 1e-12",
    })
    void unsampledGaussian_atDefaultInterval_isWithin1e4OfAnalyticAndNeverBelow(double sigma, long steps, double delta) {
        PldAccountant accountant = PldAccountant.create();
        accountant.compose(new SelfComposedEvent(new GaussianEvent(sigma), steps));
        double exact = AnalyticGaussian.epsilonLowerBound(sigma / Math.sqrt(steps), delta);
        double epsilon = accountant.epsilon(delta);
        assertTrue(epsilon >= exact, "PLD " + epsilon + " below the exact " + exact);
        assertTrue(epsilon <= exact * (1 + 1e-4), "PLD " + epsilon + " more than 1e-4 above the exact " + exact);
    }

    @Property(tries = 40)
    void unsampledGaussian_neverBelowAnalytic_andWithin1e4(
            @ForAll @DoubleRange(min = 0.2, max = 20) double sigmaEffective,
            @ForAll @LongRange(min = 1, max = 1000) long steps,
            @ForAll @DoubleRange(min = -10, max = -1) double log10Delta) {
        // sigma_eff >= 0.2 keeps the loss grid small (mu = 1/sigma_eff up to 5)
        double sigma = sigmaEffective * Math.sqrt(steps);
        double delta = Math.pow(10, log10Delta);
        PldAccountant accountant = PldAccountant.withDiscretization(COARSE);
        accountant.compose(new SelfComposedEvent(new GaussianEvent(sigma), steps));
        double exact = AnalyticGaussian.epsilonLowerBound(sigma / Math.sqrt(steps), delta);
        double epsilon = accountant.epsilon(delta);
        assertTrue(epsilon >= exact, "PLD " + epsilon + " below the exact " + exact);
        assertTrue(epsilon <= exact + COARSE, "PLD " + epsilon + " not in the exact " + exact + "'s grid cell");
        assertTrue(epsilon <= exact * (1 + 1e-4) + 0.01 * COARSE, "PLD " + epsilon + " too far above the exact " + exact);
    }

    @Property(tries = 30)
    void heterogeneousUnsampledGaussians_composeToTheGaussianOfSummedPrecisions(
            @ForAll @DoubleRange(min = 0.5, max = 5) double sigma1,
            @ForAll @DoubleRange(min = 0.5, max = 5) double sigma2,
            @ForAll @LongRange(min = 1, max = 20) long steps1,
            @ForAll @DoubleRange(min = -9, max = -2) double log10Delta) {
        double precision = steps1 / (sigma1 * sigma1) + 1 / (sigma2 * sigma2);
        double sigmaEffective = 1 / Math.sqrt(precision);
        Assume.that(sigmaEffective >= 0.2); // keeps the loss grid small
        double delta = Math.pow(10, log10Delta);
        PldAccountant accountant = PldAccountant.withDiscretization(COARSE);
        accountant.compose(DpEvent.composed(new SelfComposedEvent(new GaussianEvent(sigma1), steps1),
                new GaussianEvent(sigma2)));
        double exact = AnalyticGaussian.epsilonLowerBound(sigmaEffective, delta);
        double epsilon = accountant.epsilon(delta);
        assertTrue(epsilon >= exact, "PLD " + epsilon + " below the exact " + exact);
        assertTrue(epsilon <= exact + COARSE, "PLD " + epsilon + " not in the exact " + exact + "'s grid cell");
        assertTrue(epsilon <= exact * (1 + 1e-4) + 0.01 * COARSE, "PLD " + epsilon + " too far above the exact " + exact);
    }

    @Property(tries = 30)
    void unsampledGaussianDelta_neverBelowAnalytic(
            @ForAll @DoubleRange(min = 0.3, max = 10) double sigma,
            @ForAll @DoubleRange(min = 0, max = 8) double epsilon) {
        PldAccountant accountant = PldAccountant.withDiscretization(COARSE);
        accountant.compose(new GaussianEvent(sigma));
        double exact = AnalyticGaussian.delta(sigma, epsilon);
        double delta = accountant.delta(epsilon);
        assertTrue(delta >= exact * (1 - 1e-12), "PLD delta " + delta + " below the exact " + exact);
        assertTrue(delta <= exact * (1 + 1e-3) + 2e-15, "PLD delta " + delta + " far above the exact " + exact);
    }

    @ParameterizedTest(name = "sigma {0}, delta {1} -> {2}")
    @CsvSource({
            "0.5, 0.1, 3.807884542038285",
            "1, 0.01, 2.3177890403040493",
            "3, 0.001, 0.833528101804496",
    })
    void analyticReference_reproducesDpAccountingsAnalyticEpsilons(double sigma, double delta, double expected) {
        // the reference itself, checked against the P3 vectors' values (dp_accounting 0.6.0)
        assertEquals(expected, AnalyticGaussian.epsilonLowerBound(sigma, delta), 1e-12 * expected);
    }
}
