package io.github.dpsgd4j.audit.stats;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BinomialIntervalsTest {

    @Test
    void clopperPearson_zeroOfN_hasClosedFormUpperLimit() {
        // k = 0: upper = 1 - (alpha/2)^(1/n)
        for (int n : new int[] {1, 10, 100, 1000}) {
            assertEquals(1 - Math.pow(0.025, 1.0 / n), BinomialIntervals.clopperPearsonUpper(0, n, 0.05), 1e-9);
            assertEquals(0, BinomialIntervals.clopperPearsonLower(0, n, 0.05));
        }
        assertEquals(1, BinomialIntervals.clopperPearsonUpper(5, 5, 0.05));
        assertEquals(Math.pow(0.025, 1.0 / 5), BinomialIntervals.clopperPearsonLower(5, 5, 0.05), 1e-9);
    }

    @Test
    void clopperPearson_tenOfHundred_matchesPublishedLimits() {
        // Exact 95% CI for 10/100 as R's binom.test(10, 100) reports it: [0.04900, 0.17622]
        assertEquals(0.0490, BinomialIntervals.clopperPearsonLower(10, 100, 0.05), 5e-5);
        assertEquals(0.1762, BinomialIntervals.clopperPearsonUpper(10, 100, 0.05), 5e-5);
    }

    @Test
    void wilsonAndNewcombe_containThePointEstimate() {
        double[] w = BinomialIntervals.wilson(30, 100, 0.05);
        assertTrue(w[0] < 0.3 && 0.3 < w[1]);
        double[] d = BinomialIntervals.newcombeDifference(60, 100, 40, 100, 0.05);
        assertTrue(d[0] < 0.2 && 0.2 < d[1]);
        assertTrue(d[0] > 0, "a 20-point difference on 100/100 is significant: " + d[0]);
    }

    @Test
    void counts_outsideRange_areRejected() {
        assertThrows(IllegalArgumentException.class, () -> BinomialIntervals.clopperPearsonUpper(11, 10, 0.05));
        assertThrows(IllegalArgumentException.class, () -> BinomialIntervals.clopperPearsonUpper(1, 10, Double.NaN));
    }
}
