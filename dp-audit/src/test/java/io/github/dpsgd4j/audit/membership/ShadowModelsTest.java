package io.github.dpsgd4j.audit.membership;

import io.github.dpsgd4j.audit.model.MlpRecipe;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ShadowModelsTest {

    @Test
    void parallelTraining_givesTheSameShadowsAsOneThread() {
        SplittableRandom random = new SplittableRandom(2);
        int n = 41;
        double[][] x = new double[n][5];
        double[][] y = new double[n][3];
        for (int i = 0; i < n; i++) {
            int label = random.nextInt(3);
            for (int j = 0; j < 5; j++) {
                x[i][j] = random.nextGaussian() + (j == label ? 1 : 0);
            }
            y[i][label] = 1;
        }
        DataSet pool = new DataSet(Nd4j.create(x).castTo(DataType.FLOAT), Nd4j.create(y).castTo(DataType.FLOAT));
        MlpRecipe recipe = MlpRecipe.builder(5, 3).hidden(6).epochs(3).batchSize(8).build();
        AtomicInteger trained = new AtomicInteger();
        ShadowModels one = ShadowModels.train(recipe, pool, 5, 9, 1, trained::incrementAndGet);
        ShadowModels two = ShadowModels.train(recipe, pool, 5, 9, 2, trained::incrementAndGet);
        assertEquals(10, trained.get(), "one progress call per shadow");
        for (int s = 0; s < 5; s++) {
            for (int i = 0; i < n; i++) {
                assertEquals(one.kept(s, i), two.kept(s, i));
                assertArrayEquals(one.logits(s, i), two.logits(s, i), 0.0, "shadow " + s + " example " + i);
            }
        }
    }

    @Test
    void pairs_areComplementaryHalves() {
        boolean[][] keep = ShadowModels.balancedKeep(5, 41, new SplittableRandom(1));
        for (int pair = 0; pair < 2; pair++) {
            int size = 0;
            for (int i = 0; i < 41; i++) {
                assertEquals(!keep[2 * pair][i], keep[2 * pair + 1][i]);
                size += keep[2 * pair][i] ? 1 : 0;
            }
            assertEquals(20, size);
        }
        int last = 0;
        for (int i = 0; i < 41; i++) {
            last += keep[4][i] ? 1 : 0;
        }
        assertEquals(20, last, "an odd last shadow trains on a random half");
    }

    @Test
    void first_keepsTheFirstShadowsAndRefusesCountsOutsideRange() {
        boolean[][] keep = {{true, false, true}, {false, true, false}, {true, true, false}};
        double[][][] logits = new double[3][3][];
        for (int s = 0; s < 3; s++) {
            for (int i = 0; i < 3; i++) {
                logits[s][i] = new double[] {s, i};
            }
        }
        ShadowModels all = ShadowModels.of(keep, logits);
        ShadowModels two = all.first(2);
        assertEquals(2, two.count());
        assertEquals(3, two.size());
        for (int s = 0; s < 2; s++) {
            for (int i = 0; i < 3; i++) {
                assertEquals(keep[s][i], two.kept(s, i));
                assertArrayEquals(logits[s][i], two.logits(s, i), 0.0);
            }
        }
        IllegalArgumentException zero = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> all.first(0));
        assertEquals("k must be in [1, 3] (the shadow models trained), got 0", zero.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> all.first(4));
    }
}
