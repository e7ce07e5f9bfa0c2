package io.github.dpsgd4j.audit.stats;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RocCurveTest {

    @Test
    void roc_handComputedCaseWithTies_hasTieGroupedPointsAndMannWhitneyAuc() {
        // members {3, 2, 2, 1}, non-members {2, 0}: thresholds 3, 2, 1, 0.
        RocCurve roc = RocCurve.of(new double[] {3, 2, 2, 1}, new double[] {2, 0});
        assertArrayEquals(new double[] {0, 0, 0.5, 0.5, 1}, roc.falsePositiveRates(), 1e-15);
        assertArrayEquals(new double[] {0, 0.25, 0.75, 1, 1}, roc.truePositiveRates(), 1e-15);
        // U: member 3 beats both (2), each member 2 beats 0 and ties 2 (1.5 each), member 1 beats 0 (1): 6 / 8.
        assertEquals(6.0 / 8, roc.auc(), 1e-15);
        assertEquals(roc.auc(), trapezoid(roc), 1e-15);
        assertEquals(0.5, roc.maxAdvantage(), 1e-15); // at threshold 1: TPR 1, FPR 0.5
        assertEquals(0.25, roc.tprAtFpr(0.1), 1e-15);
        assertEquals(1.0, roc.tprAtFpr(0.5), 1e-15);
    }

    @Test
    void auc_allTied_isOneHalf() {
        assertEquals(0.5, RocCurve.of(new double[] {1, 1, 1}, new double[] {1, 1}).auc(), 1e-15);
    }

    @Test
    void auc_perfectSeparation_isOneAndReversedIsZero() {
        assertEquals(1.0, RocCurve.of(new double[] {5, 6}, new double[] {1, 2, 3}).auc(), 1e-15);
        assertEquals(0.0, RocCurve.of(new double[] {1, 2}, new double[] {5, 6, 7}).auc(), 1e-15);
    }

    @Test
    void delong_standardError_matchesStructuralComponentsComputedByHand() {
        // members {0.9, 0.6, 0.4}, non-members {0.5, 0.3}
        // V10 (member i: fraction of non-members below + half ties): 1, 1, 0.5; var = 1/12
        // V01 (non-member j: fraction of members above): 2/3, 1; var = 1/18
        RocCurve roc = RocCurve.of(new double[] {0.9, 0.6, 0.4}, new double[] {0.5, 0.3});
        assertEquals(5.0 / 6, roc.auc(), 1e-15);
        double expected = Math.sqrt((1.0 / 12) / 3 + (1.0 / 18) / 2);
        assertEquals(expected, roc.aucStandardError(), 1e-12);
    }

    @Test
    void nullBand_matchesReferenceFor900And900() {
        // attacks-and-audit.md section 3: null SE ~ 0.014 for 900 / 900
        double[] a = new double[900];
        double[] b = new double[900];
        RocCurve roc = RocCurve.of(a, b);
        assertEquals(0.014, roc.aucNullHalfWidth95() / 1.96, 0.0005);
        // section 3: advantage null 95% quantile 1.36 sqrt(2/900) ~ 0.064
        assertEquals(0.064, roc.maxAdvantageNull95(), 0.001);
    }

    @Test
    void aucOfUninformativeScores_staysInsideNullBand() {
        // Seeded; with a 95% band the false-failure rate of one draw is 5%, and this seed passes.
        SplittableRandom random = new SplittableRandom(42);
        double[] a = new double[500];
        double[] b = new double[500];
        for (int i = 0; i < 500; i++) {
            a[i] = random.nextDouble();
            b[i] = random.nextDouble();
        }
        RocCurve roc = RocCurve.of(a, b);
        assertTrue(Math.abs(roc.auc() - 0.5) < roc.aucNullHalfWidth95(), "auc " + roc.auc());
    }

    @Test
    void of_rejectsNaNAndEmpty() {
        assertThrows(IllegalArgumentException.class, () -> RocCurve.of(new double[] {Double.NaN}, new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> RocCurve.of(new double[0], new double[] {1}));
    }

    private static double trapezoid(RocCurve roc) {
        double[] f = roc.falsePositiveRates();
        double[] t = roc.truePositiveRates();
        double area = 0;
        for (int i = 1; i < f.length; i++) {
            area += (f[i] - f[i - 1]) * (t[i] + t[i - 1]) / 2;
        }
        return area;
    }
}
