package io.github.dpsgd4j.accounting.pld;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import pl.edu.icm.jlargearrays.ConcurrencyUtils;

import java.util.Random;
import java.util.concurrent.ThreadPoolExecutor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The FFT convolutions against direct summation. */
class ConvolutionsTest {

    private static double[] randomMasses(long seed, int n) {
        Random random = new Random(seed);
        double[] p = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            p[i] = random.nextDouble() * random.nextDouble();
            sum += p[i];
        }
        for (int i = 0; i < n; i++) {
            p[i] /= sum;
        }
        return p;
    }

    private static double[] direct(double[] a, double[] b) {
        double[] c = new double[a.length + b.length - 1];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < b.length; j++) {
                c[i + j] += a[i] * b[j];
            }
        }
        return c;
    }

    /** Even, 2/3/5-smooth and not a power of two. */
    private static boolean isAllowedLength(long n) {
        if (n % 2 != 0) {
            return false;
        }
        boolean oddFactor = false;
        for (int p : new int[] {2, 3, 5}) {
            while (n % p == 0) {
                n /= p;
                oddFactor |= p != 2;
            }
        }
        return n == 1 && oddFactor;
    }

    @Test
    void fftLength_isTheSmallestEven235SmoothLengthWithAnOddFactor() {
        for (long n = 1; n <= 5000; n++) {
            int length = Convolutions.fftLength(n);
            assertTrue(length >= n && isAllowedLength(length), n + " -> " + length);
            for (long m = Math.max(2, n); m < length; m++) {
                assertTrue(!isAllowedLength(m), n + " -> " + length + " but " + m + " is smaller");
            }
        }
        assertEquals(202500, Convolutions.fftLength(201269));
        assertEquals(1_049_760, Convolutions.fftLength(1 << 20)); // 2^5 3^8 5, not 2^20
    }

    @Property(tries = 30)
    void linear_equalsDirectSummation(
            @ForAll @IntRange(min = 1, max = 3000) int n,
            @ForAll @IntRange(min = 1, max = 3000) int m,
            @ForAll long seed) {
        double[] a = randomMasses(seed, n);
        double[] b = randomMasses(seed + 1, m);
        double[] fft = Convolutions.linear(a, b);
        double[] exact = direct(a, b);
        assertEquals(exact.length, fft.length);
        for (int i = 0; i < exact.length; i++) {
            assertEquals(exact[i], fft[i], 1e-15, "index " + i);
            assertTrue(fft[i] >= 0);
        }
    }

    @Property(tries = 20)
    void selfConvolveWindow_equalsRepeatedDirectConvolution(
            @ForAll @IntRange(min = 2, max = 60) int n,
            @ForAll @LongRange(min = 1, max = 12) long count,
            @ForAll long seed) {
        double[] p = randomMasses(seed, n);
        double[] exact = p;
        for (long k = 1; k < count; k++) {
            exact = direct(exact, p);
        }
        int full = exact.length;
        // round-off of the powered spectrum: about count x 1e-16 per mass
        double tol = 1e-14;
        double[] whole = Convolutions.selfConvolveWindow(p, count, 0, full);
        for (int i = 0; i < full; i++) {
            assertEquals(exact[i], whole[i], tol, "index " + i);
        }
        // a window read from an offset holds the full convolution folded modulo the FFT length
        int lower = full / 3;
        int size = Math.max(1, full / 2);
        int length = Convolutions.fftLength(Math.max(size, n));
        double[] folded = new double[length];
        for (int j = 0; j < full; j++) {
            folded[j % length] += exact[j];
        }
        double[] window = Convolutions.selfConvolveWindow(p, count, lower, size);
        for (int i = 0; i < size; i++) {
            assertEquals(folded[(lower + i) % length], window[i], tol, "window index " + i);
        }
    }

    @Test
    void selfConvolveWindow_handlesNegativeNyquistBinsAndOddCounts() {
        // alternating masses make the Nyquist bin negative
        double[] p = {0.6, 0.0, 0.4, 0.0};
        double[] exact = direct(direct(p, p), p);
        double[] fft = Convolutions.selfConvolveWindow(p, 3, 0, exact.length);
        for (int i = 0; i < exact.length; i++) {
            assertEquals(exact[i], fft[i], 1e-16);
        }
    }

    @Test
    void largeTransforms_neverStartJTransformsPoolThreads() {
        // JTransforms' global pool has non-daemon threads that would keep a finished JVM alive
        double[] p = randomMasses(7, 40_000);
        Convolutions.linear(p, p);
        Convolutions.selfConvolveWindow(p, 1000, 0, 100_000);
        Convolutions.selfConvolveWindow(p, 3, 0, 1 << 17);
        ThreadPoolExecutor pool = (ThreadPoolExecutor) ConcurrencyUtils.getThreadPool();
        assertEquals(0, pool.getLargestPoolSize(), "JTransforms pool threads started");
    }

    @Test
    void linear_ofSmallInputs_isExact() {
        assertArrayEquals(new double[] {0.25, 0.5, 0.25}, Convolutions.linear(new double[] {0.5, 0.5}, new double[] {0.5, 0.5}));
    }
}
