package io.github.dpsgd4j.accounting.pld;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.dpsgd4j.accounting.AccountantType;
import io.github.dpsgd4j.accounting.DpEvent;
import io.github.dpsgd4j.accounting.NoiseCalibration;
import io.github.dpsgd4j.accounting.PrivacyBudget;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link NoiseCalibration} with the PLD accountant against the section 6.5 values
 * ({@code pld_noise} in {@code pld-cross-checks.json}).
 *
 * <p>Two one-sided checks per vector. Against this accountant's own exact root: the returned
 * sigma meets the target (its PLD epsilon is at most the target epsilon) and
 * {@code sigma / (1 + 1e-4)} does not, so {@code root <= sigma <= root (1 + 1e-4)}. Against the
 * reference root {@code sigma*}: {@code sigma* <= sigma <= sigma* (1 + 1e-4)}. For the unsampled
 * Gaussian {@code sigma*} is the analytic Balle-Wang root, which no PLD root can be below, so
 * the lower bound is strict. For the sampled settings {@code sigma*} is dp_accounting's PLD
 * calibration, the root of a different implementation of the same pessimistic PLD: its epsilons
 * differ from this one's by about 1e-9 relative, and {@code calibrate_dp_mechanism} stops within
 * 1e-6 of the bracket width (about 1e-6 absolute) above its root; the lower bound therefore
 * allows {@code sigma* (1 - 1e-6)}.
 */
class PldCalibrationTest {

    @TestFactory
    Stream<DynamicTest> noiseMultiplier_withPld_meetsTheTargetWithin1e4AboveTheRoot() {
        return TestVectors.load(TestVectors.CROSS_CHECKS, v -> v.get("kind").asText().equals("pld_noise"))
                .stream()
                .map(v -> DynamicTest.dynamicTest(v.get("id").asText(), () -> {
                    JsonNode in = v.get("inputs");
                    double q = in.get("q").asDouble();
                    long steps = in.get("steps").asLong();
                    PrivacyBudget target = new PrivacyBudget(in.get("epsilon").asDouble(), in.get("delta").asDouble());
                    double sigma = NoiseCalibration.noiseMultiplier(AccountantType.PLD, target, q, steps);
                    String id = TestVectors.describe(v) + ": sigma " + sigma;

                    double epsilon = PldAccountant.create().compose(DpEvent.dpSgd(sigma, q, steps)).epsilon(target.delta());
                    assertTrue(epsilon <= target.epsilon(), id + " misses the target: epsilon " + epsilon);
                    double below = sigma / (1 + NoiseCalibration.RELATIVE_TOLERANCE);
                    double epsilonBelow = PldAccountant.create().compose(DpEvent.dpSgd(below, q, steps)).epsilon(target.delta());
                    assertTrue(epsilonBelow > target.epsilon(), id + " is more than 1e-4 above the root");

                    double reference = v.get("expected").asDouble();
                    double lowest = q == 1 ? reference : reference * (1 - 1e-6);
                    assertTrue(sigma >= lowest, id + " below the reference root " + reference);
                    assertTrue(sigma <= reference * (1 + v.get("rel_tol").asDouble()),
                            id + " more than 1e-4 above the reference root " + reference);
                }));
    }
}
