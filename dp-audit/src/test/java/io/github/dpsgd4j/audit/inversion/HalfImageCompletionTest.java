package io.github.dpsgd4j.audit.inversion;

import io.github.dpsgd4j.audit.model.Dl4jClassifier;
import io.github.dpsgd4j.audit.model.MlpRecipe;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HalfImageCompletionTest {

    @Test
    void gapIsMembersMinusNonMembers_withItsIntervalAroundIt_andTopHalvesAreNeverTouched() {
        SplittableRandom random = new SplittableRandom(3);
        int n = 80;
        double[][] images = new double[n][16];
        int[] labels = new int[n];
        boolean[] member = new boolean[n];
        double[][] y = new double[n][2];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            member[i] = i % 4 < 2;
            y[i][labels[i]] = 1;
            for (int j = 0; j < 16; j++) {
                images[i][j] = Math.min(1, Math.max(0, 0.5 + (labels[i] == 1 ? 0.2 : -0.2) + 0.2 * random.nextGaussian()));
            }
        }
        DataSet data = new DataSet(Nd4j.create(images).castTo(DataType.FLOAT), Nd4j.create(y).castTo(DataType.FLOAT));
        Dl4jClassifier model = Dl4jClassifier.of(MlpRecipe.builder(16, 2).hidden(8).epochs(5).batchSize(16).build()
                .train(data, 1).network());
        double[][] copy = new double[n][];
        for (int i = 0; i < n; i++) {
            copy[i] = images[i].clone();
        }
        HalfImageCompletion r = HalfImageCompletion.evaluate(model, images, labels, member, 4, 4, 2, 10, 0.1);
        assertEquals(40, r.members());
        assertEquals(40, r.nonMembers());
        assertEquals(r.memberGain() - r.nonMemberGain(), r.memberGap(), 1e-15);
        assertTrue(r.memberGapLower() <= r.memberGap() && r.memberGap() <= r.memberGapUpper());
        assertTrue(r.priorMse() > 0);
        for (int i = 0; i < n; i++) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(copy[i], images[i], "images are not modified");
        }
    }

    @Test
    void imagesOfOneRow_areRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HalfImageCompletion.evaluate(dummy(), new double[][] {{0, 1}, {1, 0}},
                        new int[] {0, 1}, new boolean[] {true, false}, 2, 1, 2, 1, 0.1));
        assertTrue(e.getMessage().contains("height"), e.getMessage());
    }

    private static Dl4jClassifier dummy() {
        return Dl4jClassifier.of(MlpRecipe.builder(2, 2).build().newNetwork(1));
    }
}
