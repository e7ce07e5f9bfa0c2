package io.github.dpsgd4j.accounting.rdp;

import io.github.dpsgd4j.accounting.DpEvent;
import org.apache.commons.math3.special.Erf;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two consistency tests of dp_accounting 0.6.0 {@code rdp_privacy_accountant_test.py} that
 * are grids rather than single vectors (accounting.md section 5, C7 and C8), run on the same grids.
 */
class RdpConversionTest {

    /** C7 {@code test_epsilon_delta_consistency}: delta(epsilon(delta)) gives delta back (one-sided at epsilon 0). */
    @Test
    void deltaOfEpsilon_recoversDelta_onDpAccountingGrid() {
        double[] orders = new double[48];
        for (int i = 0; i < orders.length; i++) {
            orders[i] = i + 2;
        }
        for (double q : new double[] {0, 0.01, 0.1, 0.8, 1}) {
            for (double sigma : new double[] {0, 0.1, 1, 10, 100}) {
                RdpAccountant accountant = RdpAccountant.withOrders(orders).compose(DpEvent.dpSgd(sigma, q, 1));
                for (double delta : new double[] {0.99, 0.9, 0.1, 0.01, 1e-3, 1e-5, 1e-9, 1e-12}) {
                    String where = "q=" + q + " sigma=" + sigma + " delta=" + delta;
                    double epsilon = accountant.epsilon(delta);
                    if (epsilon == Double.POSITIVE_INFINITY) {
                        assertEquals(1.0, accountant.delta(Double.MAX_VALUE), where);
                    } else if (epsilon == 0) {
                        assertTrue(accountant.delta(0) <= delta, where);
                    } else {
                        assertEquals(delta, accountant.delta(epsilon), 5e-8, where); // places=7 in the source
                        assertEquals(delta, accountant.delta(epsilon), 1e-9 * delta, where + " (relative)");
                    }
                }
            }
        }
    }

    /**
     * C8 {@code test_delta_bounds_gaussian}: for one Gaussian with sigma = 1 and orders 1.0 to 50.4,
     * the RDP delta lies between the exact Gaussian delta (Balle and Wang 2018, arXiv:1805.06530
     * Thm. 8) and the standard bound exp(-(eps - 1/2)^2 / 2).
     */
    @Test
    void gaussianDelta_liesBetweenExactAndStandardBound() {
        double[] orders = new double[495];
        for (int x = 10; x < 505; x++) {
            orders[x - 10] = 0.1 * x;
        }
        RdpAccountant accountant = RdpAccountant.withOrders(orders).compose(DpEvent.dpSgd(1, 1, 1));
        for (int x = 0; x < 500; x++) {
            double epsilon = 0.1 * x;
            double delta = accountant.delta(epsilon);
            double exact = Erf.erfc((epsilon - 0.5) / Math.sqrt(2)) / 2
                    - Math.exp(epsilon) * Erf.erfc((epsilon + 0.5) / Math.sqrt(2)) / 2;
            assertTrue(exact <= delta + 1e-300, "epsilon " + epsilon + ": exact " + exact + " <= " + delta);
            double standard = epsilon >= 0.5 ? Math.exp(-0.5 * (epsilon - 0.5) * (epsilon - 0.5)) : 1;
            assertTrue(delta <= standard + 1e-300, "epsilon " + epsilon + ": " + delta + " <= " + standard);
        }
    }
}
