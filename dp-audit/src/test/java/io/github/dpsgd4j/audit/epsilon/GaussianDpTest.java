package io.github.dpsgd4j.audit.epsilon;

import io.github.dpsgd4j.audit.stats.Normal;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GaussianDpTest {

    @Test
    void delta_atEpsilonZero_isTotalVariationOfTwoShiftedGaussians() {
        // delta(0) = Phi(mu/2) - Phi(-mu/2) = 2 Phi(mu/2) - 1
        assertEquals(2 * Normal.cdf(0.5) - 1, GaussianDp.delta(1, 0), 1e-12);
    }

    @Test
    void epsilon_invertsDelta() {
        for (double mu : new double[] {0.3, 1, 2.5}) {
            double eps = GaussianDp.epsilon(mu, 1e-5);
            assertEquals(1e-5, GaussianDp.delta(mu, eps), 1e-9);
            assertTrue(GaussianDp.epsilon(mu * 1.1, 1e-5) > eps, "monotone in mu");
        }
        assertEquals(0, GaussianDp.epsilon(0, 1e-5));
    }

    @Test
    void epsilon_ofGaussianMechanism_matchesAnalyticGaussianCalibration() {
        // One Gaussian mechanism with sensitivity 1 and sigma 1 is 1-GDP; Balle and Wang (2018)'s exact
        // conversion is the same formula: delta(eps = 1) = Phi(-0.5) - e Phi(-1.5).
        assertEquals(Normal.cdf(-0.5) - Math.E * Normal.cdf(-1.5), GaussianDp.delta(1, 1), 1e-12);
    }
}
