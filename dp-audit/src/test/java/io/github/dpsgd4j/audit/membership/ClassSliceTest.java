package io.github.dpsgd4j.audit.membership;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Seeded: class 1 carries no signal, so its AUC leaves the 95% null band with probability 5%. */
class ClassSliceTest {

    @Test
    void leakingClass_standsOut_andSilentClassStaysInsideItsBand() {
        SplittableRandom random = new SplittableRandom(12);
        int n = 600;
        int[] labels = new int[n];
        boolean[] member = new boolean[n];
        boolean[] correct = new boolean[n];
        double[] lira = new double[n];
        double[] rmia = new double[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
            member[i] = random.nextBoolean();
            correct[i] = i % 2 == 0;
            double signal = labels[i] == 0 && member[i] ? 1.5 : 0;
            lira[i] = random.nextGaussian() + signal;
            rmia[i] = random.nextGaussian() + signal;
        }
        MembershipAudit.Result result = new MembershipAudit.Result("full", null, null, null, lira, null, rmia);
        List<ClassSlice> slices = ClassSlice.of(result, labels, member, correct, 3);
        assertEquals(3, slices.size());
        assertEquals(200, slices.get(0).members() + slices.get(0).nonMembers());
        assertTrue(slices.get(0).aboveNullBand() && slices.get(0).rmiaAuc() > 0.75, slices.get(0).toString());
        assertFalse(slices.get(1).aboveNullBand(), slices.get(1).toString());
        assertTrue(Math.abs(slices.get(1).liraAuc() - 0.5) <= slices.get(1).aucNullHalfWidth());
    }
}
