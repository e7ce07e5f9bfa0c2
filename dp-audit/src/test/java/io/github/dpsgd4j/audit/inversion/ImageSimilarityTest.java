package io.github.dpsgd4j.audit.inversion;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageSimilarityTest {

    private static double[] digitLike(int shift) {
        double[] img = new double[64];
        for (int r = 1; r < 7; r++) {
            int c = Math.min(7, Math.max(0, 3 + shift));
            img[r * 8 + c] = 1;
            img[r * 8 + Math.min(7, c + 1)] = 0.6;
        }
        return img;
    }

    @Test
    void ssim_identicalImages_isOne() {
        double[] a = digitLike(0);
        assertEquals(1.0, ImageSimilarity.ssim(a, a, 8, 8, 3, 1), 1e-12);
        assertEquals(1.0, ImageSimilarity.ssim(a, a, 8, 8, 8, 1), 1e-12);
    }

    @Test
    void ssim_decreasesWithShift() {
        double[] a = digitLike(0);
        double one = ImageSimilarity.ssim(a, digitLike(1), 8, 8, 3, 1);
        double three = ImageSimilarity.ssim(a, digitLike(3), 8, 8, 3, 1);
        assertTrue(one < 1 && three < one, one + " " + three);
    }

    @Test
    void ssim_globalWindow_matchesFormulaByHand() {
        double[] a = {0, 1, 0, 1};
        double[] b = {0, 1, 1, 1};
        // means 0.5, 0.75; sample variances 1/3, 1/4; covariance 1/6; L = 1
        double c1 = 1e-4;
        double c2 = 9e-4;
        double expected = ((2 * 0.5 * 0.75 + c1) * (2.0 / 6 + c2)) / ((0.25 + 0.5625 + c1) * (1.0 / 3 + 0.25 + c2));
        assertEquals(expected, ImageSimilarity.ssim(a, b, 2, 2, 2, 1), 1e-12);
    }

    @Test
    void pearson_ofAffineCopy_isOneAndOfNegatedIsMinusOne() {
        SplittableRandom random = new SplittableRandom(1);
        double[] a = new double[64];
        double[] b = new double[64];
        double[] c = new double[64];
        for (int i = 0; i < 64; i++) {
            a[i] = random.nextDouble();
            b[i] = 3 * a[i] + 1;
            c[i] = -a[i];
        }
        assertEquals(1.0, ImageSimilarity.pearson(a, b), 1e-12);
        assertEquals(-1.0, ImageSimilarity.pearson(a, c), 1e-12);
        assertEquals(0.0, ImageSimilarity.mse(a, a));
    }

    @Test
    void ssim_rejectsWindowLargerThanImage() {
        assertThrows(IllegalArgumentException.class, () -> ImageSimilarity.ssim(new double[4], new double[4], 2, 2, 3, 1));
    }
}
