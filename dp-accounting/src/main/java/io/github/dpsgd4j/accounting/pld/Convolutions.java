package io.github.dpsgd4j.accounting.pld;

import org.jtransforms.fft.DoubleFFT_1D;

/**
 * Convolutions of non-negative mass vectors: linear convolution of two vectors and the windowed
 * {@code count}-fold self-convolution, by real FFT (JTransforms {@code realForward} /
 * {@code realInverse}) with direct summation for small inputs.
 *
 * <p>Spectra are held in JTransforms' packed real format in one {@code double[]}; no complex
 * objects are created. Outputs are clipped at 0: FFT round-off can produce tiny negative masses,
 * and raising them to 0 only raises the hockey-stick curve, so the clipping errs toward privacy.
 *
 * <p><b>Threads.</b> Everything runs on the calling thread. Transform lengths are even
 * 2/3/5-smooth numbers with at least one factor 3 or 5, which JTransforms serves with its
 * single-threaded mixed-radix (FFTPACK) plan, and the inverse transform is scaled here rather than
 * by JTransforms; so JTransforms never submits work to its global thread pool, whose threads are
 * not daemons and would keep a finished JVM alive for a minute. Multithreading the transforms
 * would not pay: they are under a fifth of the cost of a query (see PldAccountantBenchmark).
 * JTransforms' global settings ({@code ConcurrencyUtils}) are left untouched.
 *
 * <p>Stateless and thread-safe. Input arrays are not modified.
 */
final class Convolutions {

    /** Below this product of input lengths a linear convolution is summed directly. */
    private static final long DIRECT_PRODUCT_LIMIT = 1L << 15;
    /** Largest transform length accepted (2^24 doubles are 128 MiB); PMFs stop at 2^23 points. */
    static final long MAX_FFT_LENGTH = 1L << 24;

    private Convolutions() {
    }

    /**
     * The smallest even number {@code >= minLength} whose prime factors are 2, 3 and 5 only and
     * that is not a power of two (see the class comment on threads).
     *
     * @throws IllegalStateException if it would exceed {@link #MAX_FFT_LENGTH}
     */
    static int fftLength(long minLength) {
        if (minLength > MAX_FFT_LENGTH) {
            throw new IllegalStateException("a PLD convolution would need a transform of " + minLength
                    + " points (at most " + MAX_FFT_LENGTH + " are allowed); use a coarser discretisation "
                    + "interval or the RDP accountant");
        }
        long target = Math.max(2, minLength);
        long best = Long.MAX_VALUE;
        for (long p5 = 1; p5 <= 3 * target; p5 *= 5) {
            for (long p35 = p5; p35 <= 3 * target; p35 *= 3) {
                if (p35 == 1) {
                    continue;
                }
                long n = 2 * p35;
                while (n < target) {
                    n *= 2;
                }
                best = Math.min(best, n);
            }
        }
        return (int) best;
    }

    /**
     * The linear convolution {@code c[k] = sum_i a[i] b[k-i]}, of length
     * {@code a.length + b.length - 1}, with negative round-off clipped to 0.
     *
     * @param a non-empty, not modified
     * @param b non-empty, not modified
     */
    static double[] linear(double[] a, double[] b) {
        int outLength = Math.addExact(a.length, b.length) - 1;
        if ((long) a.length * b.length <= DIRECT_PRODUCT_LIMIT) {
            double[] out = new double[outLength];
            for (int i = 0; i < a.length; i++) {
                double ai = a[i];
                if (ai == 0) {
                    continue;
                }
                for (int j = 0; j < b.length; j++) {
                    out[i + j] += ai * b[j];
                }
            }
            return out;
        }
        int n = fftLength(outLength);
        double[] fa = new double[n];
        double[] fb = new double[n];
        System.arraycopy(a, 0, fa, 0, a.length);
        System.arraycopy(b, 0, fb, 0, b.length);
        DoubleFFT_1D fft = new DoubleFFT_1D(n);
        fft.realForward(fa);
        fft.realForward(fb);
        fa[0] *= fb[0];
        fa[1] *= fb[1];
        for (int k = 2; k < n; k += 2) {
            double re = fa[k] * fb[k] - fa[k + 1] * fb[k + 1];
            double im = fa[k] * fb[k + 1] + fa[k + 1] * fb[k];
            fa[k] = re;
            fa[k + 1] = im;
        }
        fft.realInverse(fa, false);
        double scale = 1.0 / n;
        double[] out = new double[outLength];
        for (int i = 0; i < outLength; i++) {
            double v = fa[i] * scale;
            out[i] = v > 0 ? v : 0;
        }
        return out;
    }

    /**
     * Entries {@code windowLower, ..., windowLower + windowSize - 1} of the {@code count}-fold
     * self-convolution of {@code p}, computed as one circular convolution of length
     * {@code L >= max(windowSize, p.length)}: the spectrum of the zero-padded input is raised to the
     * power {@code count} bin by bin in polar form ({@code |z|^count e^(i count arg z)}), and the
     * inverse transform is read cyclically from {@code windowLower}. Mass of the full convolution
     * outside the window wraps around into it; the caller bounds that mass (Chernoff) and accounts
     * for it.
     *
     * @param p           non-negative masses, not modified
     * @param count       {@code >= 1}
     * @param windowLower first index of the window in the full convolution, {@code >= 0}
     * @param windowSize  {@code >= 1}
     */
    static double[] selfConvolveWindow(double[] p, long count, long windowLower, int windowSize) {
        int n = fftLength(Math.max(windowSize, p.length));
        double[] a = new double[n];
        System.arraycopy(p, 0, a, 0, p.length);
        DoubleFFT_1D fft = new DoubleFFT_1D(n);
        fft.realForward(a);
        a[0] = realPower(a[0], count);
        a[1] = realPower(a[1], count);
        double t = count;
        for (int k = 2; k < n; k += 2) {
            double re = a[k];
            double im = a[k + 1];
            double squaredModulus = re * re + im * im;
            double logModulus = 0.5 * Math.log(squaredModulus) * t;
            if (logModulus < -745) {
                // |z|^count underflows (this includes |z| = 0)
                a[k] = 0;
                a[k + 1] = 0;
                continue;
            }
            double modulus = Math.exp(logModulus);
            double angle = Math.atan2(im, re) * t;
            a[k] = modulus * Math.cos(angle);
            a[k + 1] = modulus * Math.sin(angle);
        }
        fft.realInverse(a, false);
        double scale = 1.0 / n;
        double[] out = new double[windowSize];
        int start = (int) Math.floorMod(windowLower, (long) n);
        for (int i = 0; i < windowSize; i++) {
            int j = start + i;
            if (j >= n) {
                j -= n;
            }
            double v = a[j] * scale;
            out[i] = v > 0 ? v : 0;
        }
        return out;
    }

    /** {@code x^count} for a real spectral bin (which may be negative). */
    private static double realPower(double x, long count) {
        if (x == 0) {
            return 0;
        }
        double magnitude = Math.exp(Math.log(Math.abs(x)) * count);
        return (x < 0 && (count & 1) == 1) ? -magnitude : magnitude;
    }
}
