package io.github.dpsgd4j.examples.features;

import io.github.dpsgd4j.examples.features.ScatteringTransform.Boundary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scattering transform against properties that follow from its definition (Bruna and Mallat
 * 2013; Mallat 2012): filter placement, zero-mean wavelets, homogeneity, exact covariance to
 * translations by 2^J and to 90-degree rotations on a periodic grid, approximate translation
 * invariance, energy decay with the order, and a closed form for a cosine image.
 */
class ScatteringTransformTest {

    private static float[] randomImage(int height, int width, long seed) {
        Random random = new Random(seed);
        float[] image = new float[height * width];
        for (int i = 0; i < image.length; i++) {
            image[i] = random.nextFloat();
        }
        return image;
    }

    private static float[] square(int side, int top, int left, int size) {
        float[] image = new float[side * side];
        for (int y = top; y < top + size; y++) {
            for (int x = left; x < left + size; x++) {
                image[y * side + x] = 1f;
            }
        }
        return image;
    }

    private static double norm(float[] values) {
        double sum = 0;
        for (float v : values) {
            sum += (double) v * v;
        }
        return Math.sqrt(sum);
    }

    private static double distance(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - b[i];
            sum += d * d;
        }
        return Math.sqrt(sum);
    }

    /** Sum of squares of the channels of one order (0, 1 or 2). */
    private static double orderEnergy(ScatteringTransform t, float[] s, int order) {
        int area = t.outputHeight() * t.outputWidth();
        int firstOrderEnd = 1 + t.scales() * t.orientations();
        double sum = 0;
        for (int c = 0; c < t.channels(); c++) {
            int o = c == 0 ? 0 : c < firstOrderEnd ? 1 : 2;
            if (o == order) {
                for (int i = 0; i < area; i++) {
                    sum += (double) s[c * area + i] * s[c * area + i];
                }
            }
        }
        return sum;
    }

    @Test
    void shape_isThatOfTramerAndBonehForFashionMnist() {
        ScatteringTransform t = ScatteringTransform.fashionMnist();
        assertEquals(81, t.channels());
        assertEquals(7, t.outputHeight());
        assertEquals(7, t.outputWidth());
        assertEquals(3969, t.outputLength());
        assertEquals(3969, t.transform(new float[28 * 28]).length);
        assertEquals(1 + 3 * 4 + 4 * 4 * 3, new ScatteringTransform(16, 16, 3, 4, Boundary.PERIODIC).channels());
    }

    @Test
    void channelIndices_followTheDocumentedOrder() {
        ScatteringTransform t = ScatteringTransform.fashionMnist();
        assertEquals(1, t.firstOrderChannel(0, 0));
        assertEquals(16, t.firstOrderChannel(1, 7));
        assertEquals(17, t.secondOrderChannel(0, 0, 1, 0));
        assertEquals(80, t.secondOrderChannel(0, 7, 1, 7));
        assertThrows(IllegalArgumentException.class, () -> t.secondOrderChannel(1, 0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> t.firstOrderChannel(2, 0));
    }

    @Test
    void constructor_rejectsSizesThatAreNotMultiplesOf2ToTheJ() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ScatteringTransform(30, 28, 2, 8, Boundary.REFLECT));
        assertTrue(e.getMessage().contains("height must be a positive multiple of 2^scales = 4, got 30"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ScatteringTransform(28, 28, 0, 8, Boundary.REFLECT));
        assertThrows(IllegalArgumentException.class, () -> new ScatteringTransform(28, 28, 2, 0, Boundary.REFLECT));
        // reflect padding by 2^J needs a larger image
        assertThrows(IllegalArgumentException.class, () -> new ScatteringTransform(4, 4, 2, 8, Boundary.REFLECT));
        assertEquals(1, new ScatteringTransform(4, 4, 2, 8, Boundary.PERIODIC).outputHeight());
    }

    @Test
    void transform_rejectsWrongImageLength() {
        ScatteringTransform t = ScatteringTransform.fashionMnist();
        assertThrows(IllegalArgumentException.class, () -> t.transform(new float[27 * 28]));
        assertThrows(IllegalArgumentException.class, () -> t.transformAll(new float[28 * 28 + 1], 1, 1, null));
    }

    @Test
    void filters_haveZeroMeanUnitLowPassGainAndPeakAtTheirCentreFrequency() {
        ScatteringTransform t = new ScatteringTransform(32, 32, 2, 8, Boundary.PERIODIC);
        int n = t.paddedWidth();
        assertEquals(1.0, t.lowPassFilter()[0], 0);
        for (int j = 0; j < 2; j++) {
            for (int l = 0; l < 8; l++) {
                double[] psi = t.waveletFilter(j, l);
                assertEquals(0.0, psi[0], 0, "zero mean");
                int best = 0;
                for (int i = 0; i < psi.length; i++) {
                    if (Math.abs(psi[i]) > Math.abs(psi[best])) {
                        best = i;
                    }
                }
                int ky = best / n <= n / 2 ? best / n : best / n - n;
                int kx = best % n <= n / 2 ? best % n : best % n - n;
                double wy = 2 * Math.PI * ky / n;
                double wx = 2 * Math.PI * kx / n;
                double radius = Math.hypot(wx, wy);
                double expectedRadius = ScatteringTransform.XI0 / (1 << j);
                // the peak is the grid point nearest to xi_j (cos theta_l, sin theta_l)
                double gridStep = 2 * Math.PI / n;
                assertEquals(expectedRadius, radius, gridStep, "radius of the peak of psi(" + j + ", " + l + ")");
                double angle = Math.atan2(wy, wx);
                double expectedAngle = Math.PI * l / 8;
                double angularError = Math.abs(Math.IEEEremainder(angle - expectedAngle, 2 * Math.PI));
                assertTrue(angularError <= Math.atan(gridStep / radius) + 1e-12,
                        "direction of psi(" + j + ", " + l + "): " + angle + " vs " + expectedAngle);
                assertTrue(psi[best] > 0.9 && psi[best] < 1.05, "peak value " + psi[best]);
            }
        }
    }

    /**
     * The Littlewood-Paley sum {@code |phi^(w)|^2 + sum (|psi^(w)|^2 + |psi^(-w)|^2) / 2} bounds the
     * energy of the first wavelet layer (Mallat 2012, section 2): at most 1 (up to the Gaussian
     * tails) means the layer, and so the whole transform, does not expand distances. The lower
     * bound, reached at the corners (pi, pi) of the frequency square, shows that no frequency is lost.
     */
    @ParameterizedTest
    @EnumSource(Boundary.class)
    void littlewoodPaleySum_isBetweenFrameBounds(Boundary boundary) {
        for (int scales = 1; scales <= 3; scales++) {
            ScatteringTransform t = new ScatteringTransform(32, 32, scales, 8, boundary);
            int rows = t.paddedHeight();
            int columns = t.paddedWidth();
            double[] phi = t.lowPassFilter();
            double min = Double.POSITIVE_INFINITY;
            double max = 0;
            for (int ky = 0; ky < rows; ky++) {
                for (int kx = 0; kx < columns; kx++) {
                    int i = ky * columns + kx;
                    int mirrored = ((rows - ky) % rows) * columns + (columns - kx) % columns;
                    double sum = phi[i] * phi[i];
                    for (int j = 0; j < scales; j++) {
                        for (int l = 0; l < 8; l++) {
                            double[] psi = t.waveletFilter(j, l);
                            sum += 0.5 * (psi[i] * psi[i] + psi[mirrored] * psi[mirrored]);
                        }
                    }
                    min = Math.min(min, sum);
                    max = Math.max(max, sum);
                }
            }
            assertTrue(max <= 1.02, "J = " + scales + ": upper frame bound " + max);
            assertTrue(min >= 0.1, "J = " + scales + ": lower frame bound " + min);
        }
    }

    @ParameterizedTest
    @EnumSource(Boundary.class)
    void constantImage_hasItsValueInOrderZeroAndNothingElse(Boundary boundary) {
        ScatteringTransform t = new ScatteringTransform(28, 28, 2, 8, boundary);
        float[] image = new float[28 * 28];
        java.util.Arrays.fill(image, 0.37f);
        float[] s = t.transform(image);
        int area = t.outputHeight() * t.outputWidth();
        for (int i = 0; i < s.length; i++) {
            double expected = i < area ? 0.37 : 0.0;
            assertEquals(expected, s[i], 1e-6, "coefficient " + i);
        }
    }

    @Test
    void transform_isPositivelyHomogeneous() {
        ScatteringTransform t = ScatteringTransform.fashionMnist();
        float[] image = randomImage(28, 28, 1);
        float[] scaled = new float[image.length];
        float[] negated = new float[image.length];
        for (int i = 0; i < image.length; i++) {
            scaled[i] = 2.5f * image[i];
            negated[i] = -image[i];
        }
        float[] s = t.transform(image);
        float[] sScaled = t.transform(scaled);
        float[] sNegated = t.transform(negated);
        int area = t.outputHeight() * t.outputWidth();
        for (int i = 0; i < s.length; i++) {
            assertEquals(2.5 * s[i], sScaled[i], 1e-5 * (1 + Math.abs(s[i])));
            // order 0 is linear; orders 1 and 2 start with a modulus, so they ignore the sign
            double expected = i < area ? -s[i] : s[i];
            assertEquals(expected, sNegated[i], 1e-5 * (1 + Math.abs(s[i])));
        }
    }

    @Test
    void periodicTransform_isCovariantToTranslationsByMultiplesOf2ToTheJ() {
        ScatteringTransform t = new ScatteringTransform(32, 32, 2, 8, Boundary.PERIODIC);
        float[] image = randomImage(32, 32, 2);
        int dy = 8;
        int dx = 4;
        float[] shifted = new float[image.length];
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                shifted[((y + dy) % 32) * 32 + (x + dx) % 32] = image[y * 32 + x];
            }
        }
        float[] s = t.transform(image);
        float[] sShifted = t.transform(shifted);
        int h = t.outputHeight();
        int w = t.outputWidth();
        for (int c = 0; c < t.channels(); c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    float expected = s[c * h * w + y * w + x];
                    float actual = sShifted[c * h * w + ((y + dy / 4) % h) * w + (x + dx / 4) % w];
                    assertEquals(expected, actual, 1e-5, "channel " + c);
                }
            }
        }
    }

    /**
     * Rotating the image by 90 degrees maps orientation l to l + L/2 (mod L, since psi_{theta + pi}
     * has the same modulus response to a real image) and rotates every channel.
     */
    @Test
    void periodicTransform_isCovariantToQuarterTurns() {
        int n = 32;
        ScatteringTransform t = new ScatteringTransform(n, n, 2, 8, Boundary.PERIODIC);
        float[] image = randomImage(n, n, 3);
        // rotated(y, x) = image(x, -y mod n): a linear map of the periodic grid that keeps the 4-lattice
        float[] rotated = new float[image.length];
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                rotated[y * n + x] = image[x * n + (n - y) % n];
            }
        }
        float[] s = t.transform(image);
        float[] sRotated = t.transform(rotated);
        int m = t.outputHeight();
        int half = t.orientations() / 2;
        for (int y = 0; y < m; y++) {
            for (int x = 0; x < m; x++) {
                int source = x * m + (m - y) % m;
                assertEquals(s[source], sRotated[y * m + x], 1e-5, "order 0");
                for (int j = 0; j < 2; j++) {
                    for (int l = 0; l < 8; l++) {
                        int original = t.firstOrderChannel(j, l);
                        int turned = t.firstOrderChannel(j, (l + half) % 8);
                        assertEquals(s[original * m * m + source], sRotated[turned * m * m + y * m + x], 1e-5,
                                "order 1 (" + j + ", " + l + ")");
                    }
                }
                for (int l1 = 0; l1 < 8; l1++) {
                    for (int l2 = 0; l2 < 8; l2++) {
                        int original = t.secondOrderChannel(0, l1, 1, l2);
                        int turned = t.secondOrderChannel(0, (l1 + half) % 8, 1, (l2 + half) % 8);
                        assertEquals(s[original * m * m + source], sRotated[turned * m * m + y * m + x], 1e-5,
                                "order 2 (" + l1 + ", " + l2 + ")");
                    }
                }
            }
        }
    }

    /**
     * A one-pixel shift moves squares of several sizes by 50-70% of their pixel norm, but their
     * scattering coefficients by much less (measured 0.49-0.53 of the pixel change with J = 2, and
     * less with J = 3: invariance grows with the averaging scale 2^J).
     */
    @Test
    void onePixelShift_changesCoefficientsLessThanPixelsAndLessWithLargerJ() {
        ScatteringTransform j2 = new ScatteringTransform(32, 32, 2, 8, Boundary.REFLECT);
        ScatteringTransform j3 = new ScatteringTransform(32, 32, 3, 8, Boundary.REFLECT);
        for (int size : new int[] {4, 8, 12}) {
            float[] a = square(32, 10, 10, size);
            float[] b = square(32, 10, 11, size);
            double pixelChange = distance(a, b) / norm(a);
            double changeJ2 = distance(j2.transform(a), j2.transform(b)) / norm(j2.transform(a));
            double changeJ3 = distance(j3.transform(a), j3.transform(b)) / norm(j3.transform(a));
            assertTrue(changeJ2 < 0.6 * pixelChange, "size " + size + ": " + changeJ2 + " vs pixels " + pixelChange);
            assertTrue(changeJ3 < changeJ2, "size " + size + ": J=3 " + changeJ3 + " vs J=2 " + changeJ2);
        }
    }

    /**
     * Scattering energy decays with the order (Mallat 2012, section 2.5; Bruna and Mallat 2013,
     * section III), and the transform is non-expansive: with coefficients sampled every 2^J pixels,
     * the total is below the image energy.
     */
    @Test
    void energy_decaysWithOrderAndStaysBelowTheImageEnergy() {
        ScatteringTransform t = ScatteringTransform.fashionMnist();
        float[][] images = {square(28, 8, 8, 4), square(28, 6, 9, 12), randomImage(28, 28, 4)};
        for (float[] image : images) {
            float[] s = t.transform(image);
            double e0 = orderEnergy(t, s, 0);
            double e1 = orderEnergy(t, s, 1);
            double e2 = orderEnergy(t, s, 2);
            assertTrue(e2 < e1, "order 2 " + e2 + " < order 1 " + e1);
            double input = norm(image) * norm(image);
            assertTrue(e0 + e1 + e2 < input, "total " + (e0 + e1 + e2) + " < " + input);
        }
    }

    /**
     * For x(u) = cos(xi_0 u_x) with xi_0 = 3 pi / 4 a DFT frequency of the 32-point grid,
     * {@code x * psi_{0,0} = (a e^{i xi u_x} + b e^{-i xi u_x}) / 2} with a = psi^(xi, 0) and
     * b = psi^(-xi, 0), so {@code |x * psi_{0,0}|} is periodic with period 4 and values
     * {@code |a + b| / 2, sqrt(a^2 + b^2) / 2, |a - b| / 2, sqrt(a^2 + b^2) / 2}; its average by phi
     * sampled every 4 pixels is the sum of its Fourier coefficients c_k weighted by phi^ at
     * k pi / 2. The test evaluates that closed form with the filter values.
     */
    @Test
    void cosineAtTheWaveletCentre_givesTheClosedFormFirstOrderCoefficient() {
        int n = 32;
        ScatteringTransform t = new ScatteringTransform(n, n, 2, 8, Boundary.PERIODIC);
        float[] image = new float[n * n];
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                image[y * n + x] = (float) Math.cos(ScatteringTransform.XI0 * x);
            }
        }
        double[] psi = t.waveletFilter(0, 0);
        double[] phi = t.lowPassFilter();
        int k = 12; // 2 pi 12 / 32 = 3 pi / 4
        double a = psi[k];
        double b = psi[n - k];
        double[] u = {Math.abs(a + b) / 2, Math.hypot(a, b) / 2, Math.abs(a - b) / 2, Math.hypot(a, b) / 2};
        // c_m = (1/4) sum_x u(x) e^{-2 pi i m x / 4}; S1 at sample points = sum_m c_m phi^(m pi / 2)
        double expected = 0;
        for (int m = 0; m < 4; m++) {
            double re = 0;
            for (int x = 0; x < 4; x++) {
                re += u[x] * Math.cos(2 * Math.PI * m * x / 4);
            }
            expected += re / 4 * phi[(8 * m) % n];
        }
        float[] s = t.transform(image);
        int area = t.outputHeight() * t.outputWidth();
        int channel = t.firstOrderChannel(0, 0);
        for (int i = 0; i < area; i++) {
            assertEquals(expected, s[channel * area + i], 1e-6);
        }
        assertTrue(expected > 0.45, "a cosine at the centre frequency passes with gain ~1/2: " + expected);
        // the perpendicular wavelet barely responds
        int perpendicular = t.firstOrderChannel(0, 4);
        assertTrue(Math.abs(s[perpendicular * area]) < 1e-3 * expected, "perpendicular response " + s[perpendicular * area]);
    }

    @Test
    void transformAll_withThreads_equalsOneByOne() {
        ScatteringTransform t = ScatteringTransform.fashionMnist();
        int count = 70;
        float[] images = new float[count * 784];
        Random random = new Random(5);
        for (int i = 0; i < images.length; i++) {
            images[i] = random.nextFloat();
        }
        AtomicInteger done = new AtomicInteger();
        float[] all = t.transformAll(images, count, 3, done::addAndGet);
        assertEquals(count, done.get());
        for (int i = 0; i < count; i += 23) {
            float[] one = t.transform(java.util.Arrays.copyOfRange(images, i * 784, (i + 1) * 784));
            assertArrayEquals(one, java.util.Arrays.copyOfRange(all, i * 3969, (i + 1) * 3969), 0f);
        }
        assertEquals(0, t.transformAll(new float[0], 0, 2, null).length);
    }

    @Test
    void describe_namesEveryParameter() {
        String d = ScatteringTransform.fashionMnist().describe();
        assertTrue(d.contains("28x28") && d.contains("J=2") && d.contains("L=8") && d.contains("REFLECT"), d);
        assertTrue(d.startsWith("scattering-v1"), d);
    }
}
