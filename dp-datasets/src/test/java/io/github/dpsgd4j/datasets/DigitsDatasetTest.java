package io.github.dpsgd4j.datasets;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DigitsDatasetTest {

    private static final DigitsDataset DIGITS = DigitsDataset.load();

    @Test
    void load_gives1797ScaledImagesWithTheKnownClassCounts() {
        assertEquals(DigitsDataset.SIZE, DIGITS.size());
        int[] counts = new int[DigitsDataset.CLASSES];
        for (int i = 0; i < DIGITS.size(); i++) {
            counts[DIGITS.label(i)]++;
        }
        // class counts of scikit-learn's load_digits()
        assertArrayEquals(new int[] {178, 182, 177, 183, 181, 182, 181, 179, 174, 180}, counts);
        DataSet all = DIGITS.all();
        assertEquals(0.0, all.getFeatures().minNumber().doubleValue());
        assertEquals(1.0, all.getFeatures().maxNumber().doubleValue());
        assertEquals(DIGITS.size(), all.getLabels().sumNumber().intValue());
    }

    /** The public split that the demo and the docs' figures use stays the textbook seeded shuffle. */
    @Test
    void split_isTheSeededShuffle_cutIntoDisjointParts() {
        int[] order = new int[DIGITS.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Random random = new Random(0);
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        DigitsDataset.Split split = DIGITS.split(0.2, 0);
        assertArrayEquals(Arrays.copyOfRange(order, 0, 359), split.testIndices());
        assertArrayEquals(Arrays.copyOfRange(order, 359, order.length), split.trainIndices());
        assertEquals(359, split.test().numExamples());
        assertEquals(1438, split.train().numExamples());
        int row = 5;
        assertEquals(DIGITS.subset(new int[] {split.trainIndices()[row]}).getFeatures().getRow(0),
                split.train().getFeatures().getRow(row));
    }

    @Test
    void badArguments_areRefusedWithTheirName() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DIGITS.split(1.0, 0)).getMessage()
                .contains("testFraction"));
        assertEquals("indices[1] must be in [0, 1797), got 1797", assertThrows(IllegalArgumentException.class,
                () -> DIGITS.subset(new int[] {0, 1797})).getMessage());
    }
}
