package io.github.dpsgd4j.audit.membership;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When offline RMIA can run: every example must be left out by one of shadows 1..S-1. */
class MembershipAuditOfflineTest {

    private static ShadowModels shadows(boolean[][] keep) {
        double[][][] logits = new double[keep.length][keep[0].length][2];
        return ShadowModels.of(keep, logits);
    }

    @Test
    void complementaryPairs_qualifyFromFour_notWithTwo() {
        boolean[] half = {true, false, true, false};
        boolean[] other = {false, true, false, true};
        assertFalse(MembershipAudit.offlineRmiaPossible(shadows(new boolean[][] {half, other})));
        assertTrue(MembershipAudit.offlineRmiaPossible(shadows(new boolean[][] {half, other, other, half})));
    }

    @Test
    void exampleKeptByEveryShadowButTheFirst_isRefused() {
        boolean[] a = {true, false, true, false};
        boolean[] b = {true, true, false, true};
        boolean[] c = {true, false, true, true};
        // example 0 is kept by shadows 1 and 2 (the only ones that may serve while shadow 0 plays the target)
        assertFalse(MembershipAudit.offlineRmiaPossible(shadows(new boolean[][] {a, b, c})));
        boolean[] d = {false, true, true, false};
        assertTrue(MembershipAudit.offlineRmiaPossible(shadows(new boolean[][] {a, b, c, d})));
    }
}
