package io.github.dpsgd4j.examples.data;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LabeledImagesTest {

    @Test
    void of_copiesAndValidates() {
        float[] pixels = {0, 0.5f, 1, 0.25f};
        int[] labels = {1, 0};
        LabeledImages images = LabeledImages.of(1, 2, 2, pixels, labels);
        pixels[0] = 1;
        labels[0] = 0;
        assertEquals(0f, images.pixel(0, 0, 0));
        assertEquals(1, images.label(0));
        assertArrayEquals(new int[] {0, 1}, images.subset(new int[] {1, 0}).labels());
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                () -> LabeledImages.of(1, 2, 2, new float[] {0, 1.5f, 0, 0}, new int[] {0, 1}));
        assertTrue(range.getMessage().contains("pixels must be in [0, 1], got 1.5"), range.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> LabeledImages.of(1, 2, 2, new float[] {0, Float.NaN, 0, 0}, new int[] {0, 1}));
        assertThrows(IllegalArgumentException.class,
                () -> LabeledImages.of(1, 2, 2, new float[] {0, 0, 0, 0}, new int[] {0, 2}));
        assertThrows(IllegalArgumentException.class, () -> LabeledImages.of(1, 2, 2, new float[3], new int[] {0, 1}));
        assertThrows(IllegalArgumentException.class, () -> images.subset(new int[] {2}));
    }

    @Test
    void digits_areSplitOnceIntoTrainingAndTestImagesOf8By8() throws Exception {
        TrainTestSplit split = DatasetName.DIGITS.load(null);
        assertEquals(1438, split.train().size());
        assertEquals(359, split.test().size());
        assertEquals(8, split.train().height());
        assertEquals(DatasetName.DIGITS, DatasetName.parse("Digits"));
        assertEquals(DatasetName.FASHION_MNIST, DatasetName.parse("fashion-mnist"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DatasetName.parse("mnist"));
        assertEquals("unknown dataset 'mnist': expected one of digits, fashion-mnist", e.getMessage());
    }
}
