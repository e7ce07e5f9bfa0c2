package io.github.dpsgd4j.accounting.rdp;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.dpsgd4j.accounting.AccountantType;
import io.github.dpsgd4j.accounting.DpEvent;
import io.github.dpsgd4j.accounting.NoiseCalibration;
import io.github.dpsgd4j.accounting.PrivacyBudget;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The [computed] cross-check tables of accounting.md (sections 1.3 and 6.1-6.5), stored with their
 * provenance in rdp-cross-checks.json: values produced by running dp_accounting 0.6.0 or Opacus
 * 1.6.0, not asserted by those libraries' own tests.
 */
class RdpCrossCheckTest {

    private static final JsonNode DATA = ReferenceData.load(ReferenceData.CROSS_CHECKS);

    private static RdpConvention convention(JsonNode node) {
        return node.get("convention").asText().equals("opacus") ? RdpConvention.OPACUS : RdpConvention.DP_ACCOUNTING;
    }

    private static String setting(JsonNode row) {
        return "q=" + (row.has("q_as_written") ? row.get("q_as_written").asText() : row.path("q").asText())
                + " sigma=" + row.path("sigma").asText() + " order=" + row.path("order").asText();
    }

    @TestFactory
    Stream<DynamicTest> singleStepRdp_matchesDpAccountingAndOpacus() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String table : new String[] {"single_step_rdp", "single_step_rdp_variant_b", "log_a"}) {
            JsonNode t = DATA.get(table);
            RdpConvention convention = convention(t);
            boolean logA = table.equals("log_a");
            for (JsonNode row : t.get("rows")) {
                String id = table + " " + setting(row);
                tests.add(DynamicTest.dynamicTest(id, () -> {
                    double order = row.get("order").asDouble();
                    double rdp = convention.rdp(row.get("q").asDouble(), row.get("sigma").asDouble(), order);
                    double actual = logA ? rdp * (order - 1) : rdp;
                    double expected = row.get("expected").asDouble();
                    if (logA) {
                        double tol = t.get("rel_tol").asDouble() * Math.abs(expected) + t.get("abs_tol").asDouble();
                        assertTrue(Math.abs(actual - expected) <= tol, id + ": expected " + expected + ", got " + actual);
                    } else {
                        ReferenceData.assertClose(id, expected, actual, t);
                    }
                }));
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> fractionalVariants_AIsAnUpperBoundAndBIsExact() {
        JsonNode t = DATA.get("fractional_variants");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode row : t.get("rows")) {
            String id = "fractional_variants " + setting(row);
            tests.add(DynamicTest.dynamicTest(id, () -> {
                double q = row.get("q").asDouble();
                double sigma = row.get("sigma").asDouble();
                double order = row.get("order").asDouble();
                double a = RdpConvention.DP_ACCOUNTING.rdp(q, sigma, order);
                double b = RdpConvention.OPACUS.rdp(q, sigma, order);
                double exact = row.get("exact").asDouble();
                ReferenceData.assertClose(id + " variant A", row.get("a").asDouble(), a, t);
                ReferenceData.assertClose(id + " variant B", row.get("b").asDouble(), b, t);
                assertTrue(a >= exact, id + ": variant A " + a + " bounds the exact " + exact + " from above");
                assertTrue(Math.abs(b - exact) <= t.get("exact_rel_tol").asDouble() * exact,
                        id + ": variant B " + b + " vs exact " + exact);
            }));
        }
        return tests.stream();
    }

    @Test
    void earlyTermination_givesInfinityExactlyAtTheOrdersDpAccountingDrops() {
        JsonNode t = DATA.get("early_termination");
        RdpAccountant accountant = RdpAccountant.create()
                .compose(DpEvent.dpSgd(t.get("sigma").asDouble(), t.get("q").asDouble(), 1));
        double[] orders = accountant.orders();
        double[] rdp = accountant.rdp();
        Set<Double> expected = new HashSet<>();
        t.get("infinite_at").forEach(n -> expected.add(n.asDouble()));
        Set<Double> infinite = new HashSet<>();
        for (int k = 0; k < orders.length; k++) {
            if (rdp[k] == Double.POSITIVE_INFINITY) {
                infinite.add(orders[k]);
            }
        }
        assertEquals(expected, infinite);
        assertTrue(Double.isFinite(accountant.epsilon(1e-5)), "the other orders still give a finite epsilon");
    }

    @Test
    void logAFractionalPositive_R9_isPositiveAcrossOrders58_5To59_5() {
        // dp_accounting test_log_a_frac_positive: q=0.4, sigma=12, orders linspace(58.5, 59.5, 21).
        for (int i = 0; i <= 20; i++) {
            double order = 58.5 + i * 0.05;
            double rdp = RdpConvention.DP_ACCOUNTING.rdp(0.4, 12, order);
            assertTrue(rdp > 0 && Double.isFinite(rdp), "order " + order + ": " + rdp);
        }
    }

    @TestFactory
    Stream<DynamicTest> epsilon_matchesComputedTables() {
        JsonNode t = DATA.get("epsilon");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode row : t.get("rows")) {
            String id = row.get("id").asText() + " (" + row.get("library").asText() + ")";
            tests.add(DynamicTest.dynamicTest(id, () -> {
                RdpAccountant accountant = RdpAccountant.of(convention(row), ReferenceData.orders(row.get("orders")))
                        .compose(ReferenceData.event(row));
                RdpEpsilon result = accountant.epsilonAndOrder(row.get("delta").asDouble());
                ReferenceData.assertClose(id, row.get("expected").asDouble(), result.epsilon(), row, t);
                if (row.has("expected_order")) {
                    assertEquals(row.get("expected_order").asDouble(), result.order(), id + ": optimal order");
                }
            }));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> delta_matchesComputedTable() {
        JsonNode t = DATA.get("delta");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode row : t.get("rows")) {
            String id = "delta " + setting(row) + " steps=" + row.get("steps") + " epsilon=" + row.get("epsilon");
            tests.add(DynamicTest.dynamicTest(id, () -> {
                RdpDelta result = RdpAccountant.of(convention(t), ReferenceData.orders(t.get("orders")))
                        .compose(DpEvent.dpSgd(row.get("sigma").asDouble(), row.get("q").asDouble(), row.get("steps").asLong()))
                        .deltaAndOrder(row.get("epsilon").asDouble());
                ReferenceData.assertClose(id, row.get("expected").asDouble(), result.delta(), t);
                assertEquals(row.get("expected_order").asDouble(), result.order(), id + ": optimal order");
            }));
        }
        return tests.stream();
    }

    /** Section 6.5, one-sided: the library's sigma* <= ours <= sigma* (1 + 1e-4). */
    @TestFactory
    Stream<DynamicTest> calibration_isOneSidedAgainstDpAccounting() {
        JsonNode t = DATA.get("calibration");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode row : t.get("rows")) {
            String id = "calibration " + setting(row) + " steps=" + row.get("steps") + " epsilon=" + row.get("epsilon");
            tests.add(DynamicTest.dynamicTest(id, () -> {
                double reference = row.get("expected").asDouble();
                double q = row.get("q").asDouble();
                long steps = row.get("steps").asLong();
                PrivacyBudget target = new PrivacyBudget(row.get("epsilon").asDouble(), row.get("delta").asDouble());
                double sigma = NoiseCalibration.noiseMultiplier(AccountantType.RDP, target, q, steps);
                assertTrue(reference <= sigma && sigma <= reference * (1 + NoiseCalibration.RELATIVE_TOLERANCE),
                        id + ": " + reference + " <= " + sigma + " <= " + reference + " (1 + 1e-4)");
                assertTrue(RdpAccountant.create().compose(DpEvent.dpSgd(sigma, q, steps)).epsilon(target.delta())
                        <= target.epsilon(), id + ": meets the target");
            }));
        }
        return tests.stream();
    }

    /** Section 6.5, Opacus get_noise_multiplier outputs, reproduced by the search port over Opacus mode. */
    @TestFactory
    Stream<DynamicTest> opacusNoiseSearch_reproducesOpacusOutputs() {
        JsonNode t = DATA.get("opacus_noise_search");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode row : t.get("rows")) {
            String id = "opacus_noise_search epsilon=" + row.get("epsilon") + " q=" + row.get("q");
            tests.add(DynamicTest.dynamicTest(id, () -> {
                double q = row.get("q").asDouble();
                long steps = row.get("steps").asLong();
                double delta = row.get("delta").asDouble();
                DoubleUnaryOperator epsilon = sigma -> RdpAccountant.opacusCompatible()
                        .compose(DpEvent.dpSgd(sigma, q, steps)).epsilon(delta);
                double sigma = RdpReferenceVectorsTest.opacusNoiseSearch(epsilon, row.get("epsilon").asDouble());
                ReferenceData.assertClose(id, row.get("expected").asDouble(), sigma, t);
            }));
        }
        return tests.stream();
    }
}
