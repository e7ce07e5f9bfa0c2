package io.github.dpsgd4j.accounting.pld;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.dpsgd4j.accounting.DpEvent;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.Iterator;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The [computed] dp_accounting values of {@code pld-cross-checks.json} (accounting.md sections 2,
 * 6.2, 6.3 and 6.4): epsilons, deltas and the intermediate values of the MNIST setting.
 */
class PldCrossCheckTest {

    @TestFactory
    Stream<DynamicTest> pldAccountant_matchesComputedEpsilonsAndDeltas() {
        return TestVectors.load(TestVectors.CROSS_CHECKS,
                        v -> v.get("kind").asText().equals("pld_epsilon") || v.get("kind").asText().equals("pld_delta"))
                .stream()
                .map(v -> DynamicTest.dynamicTest(v.get("id").asText(), () -> {
                    JsonNode in = v.get("inputs");
                    PldAccountant accountant = PldAccountant.withDiscretization(in.get("interval").asDouble());
                    accountant.compose(TestVectors.event(in));
                    double expected = v.get("expected").asDouble();
                    double actual = v.get("kind").asText().equals("pld_epsilon")
                            ? accountant.epsilon(in.get("delta").asDouble())
                            : accountant.delta(in.get("epsilon").asDouble());
                    assertEquals(expected, actual, TestVectors.tolerance(v, expected), TestVectors.describe(v));
                }));
    }

    @Test
    void mnistSetting_reproducesDpAccountingIntermediateValues() {
        JsonNode v = TestVectors.load(TestVectors.CROSS_CHECKS,
                x -> x.get("id").asText().equals("MNIST-intermediate")).get(0);
        JsonNode in = v.get("inputs");
        JsonNode expected = v.get("expected");
        double q = in.get("q").asDouble();
        double sigma = in.get("sigma").asDouble();
        double interval = in.get("interval").asDouble();
        long steps = in.get("steps").asLong();
        double delta = in.get("delta").asDouble();
        String id = v.get("id").asText();

        SampledGaussianPrivacyLoss remove = new SampledGaussianPrivacyLoss(sigma, q, AdjacencyDirection.REMOVE);
        SampledGaussianPrivacyLoss add = new SampledGaussianPrivacyLoss(sigma, q, AdjacencyDirection.ADD);
        JsonNode r = expected.get("remove");
        double[] x = remove.outputRange(in.get("log_mass_truncation_bound").asDouble());
        assertRelative(r.get("x_range").get(0).asDouble(), x[0], 1e-14, id + " REMOVE lower x");
        assertRelative(r.get("x_range").get(1).asDouble(), x[1], 1e-14, id + " REMOVE upper x");
        assertRelative(r.get("epsilon_range").get(0).asDouble(), remove.privacyLoss(x[1]), 1e-12, id + " REMOVE lowest loss");
        assertRelative(r.get("epsilon_range").get(1).asDouble(), remove.privacyLoss(x[0]), 1e-12, id + " REMOVE highest loss");
        for (Iterator<Map.Entry<String, JsonNode>> it = r.get("delta").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            double epsilon = Double.parseDouble(e.getKey());
            assertRelative(e.getValue().asDouble(), remove.delta(epsilon), 1e-12, id + " REMOVE delta(" + epsilon + ")");
        }
        assertRelative(remove.delta(0), add.delta(0), 1e-12, id + " ADD delta(0) equals REMOVE delta(0)");
        double addCutoff = -Math.log1p(-q);
        assertEquals(0, add.delta(addCutoff), id + " ADD delta at -log(1-q)");
        assertEquals(0, add.delta(0.05), id + " ADD delta(0.05)");

        PrivacyLossDistribution single = PrivacyLossDistribution.sampledGaussian(sigma, q, interval);
        PrivacyLossPmf singleRemove = single.pmf(AdjacencyDirection.REMOVE);
        PrivacyLossPmf singleAdd = single.pmf(AdjacencyDirection.ADD);
        assertEquals(r.get("lower_index").asLong(), singleRemove.lowerIndex(), id + " REMOVE lower index");
        assertEquals(r.get("size").asInt(), singleRemove.size(), id + " REMOVE size");
        assertRelative(r.get("infinity_mass").asDouble(), singleRemove.infinityMass(), 1e-9, id + " REMOVE infinity mass");
        JsonNode a = expected.get("add");
        assertEquals(a.get("lower_index").asLong(), singleAdd.lowerIndex(), id + " ADD lower index");
        assertEquals(a.get("size").asInt(), singleAdd.size(), id + " ADD size");
        assertEquals(a.get("infinity_mass").asDouble(), singleAdd.infinityMass(), id + " ADD infinity mass");

        PrivacyLossDistribution composed = single.selfCompose(steps);
        PrivacyLossPmf composedRemove = composed.pmf(AdjacencyDirection.REMOVE);
        PrivacyLossPmf composedAdd = composed.pmf(AdjacencyDirection.ADD);
        JsonNode rc = r.get("composed");
        assertEquals(rc.get("lower_index").asLong(), composedRemove.lowerIndex(), id + " composed REMOVE lower index");
        assertEquals(rc.get("size").asInt(), composedRemove.size(), id + " composed REMOVE size");
        assertRelative(rc.get("infinity_mass").asDouble(), composedRemove.infinityMass(), 1e-9,
                id + " composed REMOVE infinity mass");
        assertEquals(rc.get("epsilon").asDouble(), composedRemove.epsilon(delta), 1e-7, id + " composed REMOVE epsilon");
        JsonNode ac = a.get("composed");
        long expectedAddUpper = ac.get("lower_index").asLong() + ac.get("size").asLong() - 1;
        assertEquals(expectedAddUpper, composedAdd.lowerIndex() + composedAdd.size() - 1, id + " composed ADD upper index");
        assertTrue(composedAdd.lowerIndex() >= ac.get("lower_index").asLong(),
                id + " composed ADD lower index " + composedAdd.lowerIndex() + " below dp_accounting's");
        assertRelative(ac.get("infinity_mass").asDouble(), composedAdd.infinityMass(), 1e-9, id + " composed ADD infinity mass");
        assertEquals(ac.get("epsilon").asDouble(), composedAdd.epsilon(delta), 1e-7, id + " composed ADD epsilon");

        PldAccountant accountant = PldAccountant.withDiscretization(interval);
        accountant.compose(DpEvent.dpSgd(sigma, q, steps));
        assertEquals(expected.get("final_epsilon").asDouble(), accountant.epsilon(delta), 1e-6, id + " accountant epsilon");
    }

    private static void assertRelative(double expected, double actual, double relTol, String message) {
        assertEquals(expected, actual, relTol * Math.abs(expected), message);
    }
}
