package io.github.dpsgd4j.audit.stats;

import io.github.dpsgd4j.accounting.GaussianEvent;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RocBoundTest {

    private static final double[] FPRS = {1e-5, 1e-4, 1e-3, 0.01, 0.05, 0.1, 0.3, 0.5, 0.8};

    @Test
    void gaussianMechanism_boundDominatesItsExactTradeOffCurve_andIsClose() {
        for (double sigma : new double[] {0.5, 1.0, 2.0}) {
            RocBound bound = RocBound.ofEvent(new GaussianEvent(sigma), "Gaussian sigma " + sigma);
            double mu = 1 / sigma; // sensitivity 1: the exact trade-off is G_mu, TPR = Phi(Phi^-1(FPR) + mu)
            for (double fpr : FPRS) {
                double exact = Normal.cdf(Normal.quantile(fpr) + mu);
                double tpr = bound.tprAt(fpr);
                assertTrue(tpr >= exact - 1e-12, "sigma " + sigma + " FPR " + fpr + ": " + tpr + " < exact " + exact);
                assertEquals(exact, tpr, 0.002 + 0.02 * exact, "sigma " + sigma + " FPR " + fpr);
            }
        }
    }

    @Test
    void pldBound_isNeverAboveTheSinglePairCapAtItsOwnEpsilon() {
        RocBound pld = RocBound.ofDpSgd(1.0, 0.05, 200);
        double delta = 1e-5;
        io.github.dpsgd4j.accounting.pld.PldAccountant a = io.github.dpsgd4j.accounting.pld.PldAccountant.create();
        a.compose(io.github.dpsgd4j.accounting.DpEvent.dpSgd(1.0, 0.05, 200));
        PrivacyCaps caps = new PrivacyCaps(a.epsilon(delta), delta);
        for (double fpr : FPRS) {
            // The envelope over all epsilons is at most the bound of one pair (up to the coarser PLD grid).
            assertTrue(pld.tprAt(fpr) <= caps.maxTprAtFpr(fpr) * 1.02 + 1e-6, "FPR " + fpr);
            assertTrue(pld.tprAt(fpr) >= fpr);
        }
    }

    @Test
    void singlePair_equalsThePrivacyCaps() {
        RocBound pair = RocBound.ofGuarantee(2.0, 1e-5);
        PrivacyCaps caps = new PrivacyCaps(2.0, 1e-5);
        for (double fpr : FPRS) {
            assertEquals(caps.maxTprAtFpr(fpr), pair.tprAt(fpr), 1e-12, "FPR " + fpr);
        }
    }

    @Test
    void curve_isMonotone() {
        RocBound b = RocBound.ofDpSgd(1.2, 0.1, 100);
        double[] t = b.curveTruePositiveRates();
        for (int i = 1; i < t.length; i++) {
            assertTrue(t[i] >= t[i - 1] - 1e-12, "at " + i);
        }
    }
}
