package io.github.dpsgd4j.accounting.pld;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Queries, composition and truncation of {@link PrivacyLossPmf} on small hand-made distributions. */
class PrivacyLossPmfTest {

    /** Randomised response with flip probability 1/(1+e): losses +-1 with masses e/(1+e), 1/(1+e). */
    private static PrivacyLossPmf randomisedResponse() {
        double e = Math.E;
        return new PrivacyLossPmf(1, -1, new double[] {1 / (1 + e), 0, e / (1 + e)}, 0);
    }

    @Test
    void delta_andEpsilon_ofRandomisedResponse() {
        PrivacyLossPmf pmf = randomisedResponse();
        double e = Math.E;
        assertEquals(e / (1 + e) * (1 - Math.exp(-1)), pmf.delta(0), 1e-15);
        assertEquals(e / (1 + e) * (1 - Math.exp(0.5 - 1)), pmf.delta(0.5), 1e-15);
        assertEquals(0, pmf.delta(1));
        // pure DP: epsilon 1 at any delta, and smaller epsilons for larger deltas
        assertEquals(1, pmf.epsilon(1e-12), 1e-9);
        double delta = pmf.delta(0.3);
        assertEquals(0.3, pmf.epsilon(delta), 1e-12);
        assertEquals(0, pmf.epsilon(0.9));
    }

    @Test
    void epsilon_isInfiniteWhenTheInfinityMassExceedsDelta() {
        PrivacyLossPmf pmf = new PrivacyLossPmf(0.1, 0, new double[] {0.9}, 0.1);
        assertEquals(Double.POSITIVE_INFINITY, pmf.epsilon(0.05));
        assertEquals(0, pmf.epsilon(0.1));
        assertEquals(0.1, pmf.delta(5));
    }

    @Test
    void compose_addsLossesAndCombinesInfinityMasses() {
        PrivacyLossPmf a = new PrivacyLossPmf(0.5, 2, new double[] {0.5, 0.3}, 0.2);
        PrivacyLossPmf b = new PrivacyLossPmf(0.5, -1, new double[] {0.6, 0.3}, 0.1);
        PrivacyLossPmf c = a.compose(b, 0);
        assertEquals(1, c.lowerIndex());
        assertEquals(3, c.size());
        assertEquals(0.3, c.probability(0), 1e-15);
        assertEquals(0.5 * 0.3 + 0.3 * 0.6, c.probability(1), 1e-15);
        assertEquals(0.09, c.probability(2), 1e-15);
        assertEquals(0.2 + 0.1 - 0.02, c.infinityMass(), 1e-15);
    }

    @Test
    void compose_truncatesTailsPessimistically() {
        PrivacyLossPmf a = new PrivacyLossPmf(1, 0, new double[] {1e-17, 1e-17, 0.5, 0.5 - 4e-17, 1e-17, 1e-17}, 0);
        PrivacyLossPmf c = a.compose(PrivacyLossPmf.identity(1), 1e-15);
        // the light prefix moves up onto the first kept loss, the light suffix to infinity
        assertEquals(2, c.lowerIndex());
        assertEquals(2, c.size());
        assertEquals(0.5 + 2e-17, c.probability(0), 1e-30);
        assertEquals(2e-17, c.infinityMass(), 1e-30);
        assertEquals(1, c.totalMass(), 1e-15);
    }

    @Test
    void compose_rejectsDifferentIntervals() {
        assertThrows(IllegalArgumentException.class,
                () -> PrivacyLossPmf.identity(0.1).compose(PrivacyLossPmf.identity(0.2), 0));
    }

    @Test
    void selfCompose_matchesRepeatedCompositionAndAddsTheTruncationMass() {
        PrivacyLossDistribution single = PrivacyLossDistribution.sampledGaussian(1.0, 0.1, 1e-2);
        PrivacyLossPmf step = single.pmf(AdjacencyDirection.REMOVE);
        PrivacyLossPmf repeated = step;
        for (int i = 1; i < 10; i++) {
            repeated = repeated.compose(step, 0);
        }
        PrivacyLossPmf powered = step.selfCompose(10, 1e-15);
        assertEquals(1e-15 - Math.expm1(10 * Math.log1p(-step.infinityMass())), powered.infinityMass(), 1e-25);
        // The Chernoff window lets at most 1e-15 of mass wrap around (at most 0.5e-15 from each
        // tail) and adds 1e-15 at infinity, so the powered curve lies above the exact one by at
        // most 2e-15, up to FFT round-off: about 1e-17 per mass, summed over the ~10^3 masses
        // above epsilon, so 1e-14 absolute.
        for (double epsilon = 0; epsilon <= 8; epsilon += 0.25) {
            double exact = repeated.delta(epsilon);
            double difference = powered.delta(epsilon) - exact;
            assertTrue(difference >= -1e-14 && difference <= 2e-15 + 1e-14,
                    "epsilon " + epsilon + ": powered - repeated = " + difference);
        }
        assertSame(step, step.selfCompose(1, 1e-15));
    }

    @Test
    void singleStepMasses_sumToOneUpToRoundOff_andRemoveDominatesAdd() {
        PrivacyLossDistribution pld = PrivacyLossDistribution.sampledGaussian(1.1, 256.0 / 60000, 1e-3);
        assertEquals(1, pld.pmf(AdjacencyDirection.REMOVE).totalMass(), 1e-8);
        assertEquals(1, pld.pmf(AdjacencyDirection.ADD).totalMass(), 1e-8);
        assertTrue(pld.pmf(AdjacencyDirection.REMOVE).epsilon(1e-5) >= pld.pmf(AdjacencyDirection.ADD).epsilon(1e-5));
    }
}
