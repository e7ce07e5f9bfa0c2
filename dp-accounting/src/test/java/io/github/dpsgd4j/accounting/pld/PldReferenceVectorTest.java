package io.github.dpsgd4j.accounting.pld;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.Iterator;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The public PLD and PRV vectors of {@code accounting-vectors.json}, each checked with its own
 * tolerance and named by its id.
 *
 * <ul>
 *   <li>P1-P5 (dp_accounting and TF-Privacy tests of {@code PLDAccountant}): epsilon or delta of
 *       the PLD accountant at the default interval 1e-4. P3's expected values are the analytic
 *       Gaussian epsilons, which the PLD must also never undercut.</li>
 *   <li>PMF1-PMF8 (dp_accounting connect-the-dots PMFs): the single-step distribution with the
 *       vector's interval and truncation bound, compared point by point. Only the loss of
 *       sigma / sensitivity matters, so sensitivity is folded into sigma. PMF7 uses REPLACE_ONE
 *       adjacency, which dpsgd4j does not account for (its unit of privacy is add/remove of one
 *       example), and is skipped by its neighboring_relation.</li>
 *   <li>V1, V2-01..34 (Opacus PRV accountant, which returns an upper bound
 *       {@code epsilon(delta - delta_err) + eps_err} with {@code eps_err = 0.01}): the true epsilon
 *       lies in {@code [upper - 2 eps_err, upper]} up to the effect of delta_err, and the PLD is an
 *       upper bound within about 1e-4 of the truth (section 6.2 of accounting.md shows PLD and the
 *       PRV estimate agree to 1e-4). So the PLD must satisfy
 *       {@code upper - 0.02 <= PLD <= upper} (plus the vector's own tolerance for the rounding of
 *       the expected value). In practice it sits about 0.0104 below {@code upper}.</li>
 * </ul>
 */
class PldReferenceVectorTest {

    @TestFactory
    Stream<DynamicTest> pldAccountant_matchesPublicEpsilonAndDeltaVectors() {
        return TestVectors.load(TestVectors.PUBLIC_VECTORS,
                        v -> v.get("accountant").asText().equals("pld/dp_accounting")
                                && !v.get("kind").asText().equals("pld_pmf"))
                .stream()
                .map(v -> DynamicTest.dynamicTest(v.get("id").asText(), () -> {
                    JsonNode in = v.get("inputs");
                    PldAccountant accountant = PldAccountant.create();
                    accountant.compose(TestVectors.event(in));
                    double expected = v.get("expected").asDouble();
                    double tol = TestVectors.tolerance(v, expected);
                    if (v.get("kind").asText().equals("delta")) {
                        double delta = accountant.delta(in.get("epsilon").asDouble());
                        assertEquals(expected, delta, tol, TestVectors.describe(v));
                    } else {
                        double epsilon = accountant.epsilon(in.get("delta").asDouble());
                        assertEquals(expected, epsilon, tol, TestVectors.describe(v));
                        if (v.get("id").asText().startsWith("P3")) {
                            // expected is the analytic epsilon (printed to 16 digits): never undercut
                            assertTrue(epsilon >= expected * (1 - 1e-15),
                                    TestVectors.describe(v) + ": PLD " + epsilon + " below analytic " + expected);
                        }
                    }
                }));
    }

    @TestFactory
    Stream<DynamicTest> connectTheDots_matchesPublicPmfVectors() {
        return TestVectors.load(TestVectors.PUBLIC_VECTORS,
                        v -> v.get("kind").asText().equals("pld_pmf")
                                && v.get("inputs").get("neighboring_relation").asText().equals("ADD_OR_REMOVE_ONE"))
                .stream()
                .map(v -> DynamicTest.dynamicTest(v.get("id").asText(), () -> {
                    JsonNode in = v.get("inputs");
                    double sigmaOverSensitivity = in.get("sigma").asDouble() / in.get("sensitivity").asDouble();
                    PrivacyLossDistribution pld = PrivacyLossDistribution.sampledGaussian(sigmaOverSensitivity,
                            in.get("sampling_prob").asDouble(), in.get("value_discretization_interval").asDouble(),
                            in.get("log_mass_truncation_bound_value").asDouble());
                    JsonNode expected = v.get("expected");
                    double tol = v.get("abs_tol").asDouble();
                    assertPmf(v, "add", expected.get("add"), pld.pmf(AdjacencyDirection.ADD), tol);
                    JsonNode remove = expected.get("remove");
                    if (remove.isTextual()) {
                        assertEquals("same_as_add", remove.asText());
                        assertTrue(pld.isSymmetric(), v.get("id").asText() + ": expected a symmetric PLD");
                    } else {
                        assertPmf(v, "remove", remove, pld.pmf(AdjacencyDirection.REMOVE), tol);
                    }
                }));
    }

    private static void assertPmf(JsonNode v, String direction, JsonNode expected, PrivacyLossPmf pmf, double tol) {
        String what = v.get("id").asText() + " " + direction;
        JsonNode masses = expected.get("pmf");
        long lowest = Long.MAX_VALUE;
        long highest = Long.MIN_VALUE;
        for (Iterator<Map.Entry<String, JsonNode>> it = masses.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            long index = Long.parseLong(e.getKey());
            lowest = Math.min(lowest, index);
            highest = Math.max(highest, index);
        }
        assertEquals(lowest, pmf.lowerIndex(), what + ": lowest loss index");
        assertEquals(highest - lowest + 1, pmf.size(), what + ": number of grid points");
        for (Iterator<Map.Entry<String, JsonNode>> it = masses.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int i = (int) (Long.parseLong(e.getKey()) - pmf.lowerIndex());
            assertEquals(e.getValue().asDouble(), pmf.probability(i), tol, what + ": mass at index " + e.getKey());
        }
        assertEquals(expected.get("infinity_mass").asDouble(), pmf.infinityMass(), tol, what + ": infinity mass");
    }

    @TestFactory
    Stream<DynamicTest> pldEpsilon_liesWithinThePrvAccountantsErrorBand() {
        return TestVectors.load(TestVectors.PUBLIC_VECTORS, v -> v.get("kind").asText().equals("prv_epsilon"))
                .stream()
                .map(v -> DynamicTest.dynamicTest(v.get("id").asText(), () -> {
                    JsonNode in = v.get("inputs");
                    PldAccountant accountant = PldAccountant.create();
                    accountant.compose(TestVectors.event(in));
                    double epsilon = accountant.epsilon(in.get("delta").asDouble());
                    double upper = v.get("expected").asDouble();
                    double tol = TestVectors.tolerance(v, upper);
                    double band = 2 * in.get("eps_error").asDouble();
                    assertTrue(epsilon <= upper + tol,
                            TestVectors.describe(v) + ": PLD " + epsilon + " above the PRV upper bound " + upper);
                    assertTrue(epsilon >= upper - band - tol,
                            TestVectors.describe(v) + ": PLD " + epsilon + " below the PRV lower end " + (upper - band));
                }));
    }
}
