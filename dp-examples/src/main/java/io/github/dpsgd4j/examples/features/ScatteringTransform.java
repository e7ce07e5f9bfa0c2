package io.github.dpsgd4j.examples.features;

import io.github.dpsgd4j.common.Checks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * The two-dimensional wavelet scattering transform of order 2 with Morlet wavelets (Bruna and
 * Mallat 2013, "Invariant Scattering Convolution Networks", IEEE TPAMI 35(8); Mallat 2012, "Group
 * Invariant Scattering", CPAM 65(10); Oyallon and Mallat 2015, "Deep Roto-Translation Scattering for
 * Object Classification", CVPR), computed in the Fourier domain. It is a fixed, data-independent
 * feature map: applying it to each training image separately costs no privacy, which is why
 * Tramer and Boneh (ICLR 2021, "Differentially Private Learning Needs Better Features (or Much More
 * Data)") train DP-SGD models on it.
 *
 * <p>With {@code J} scales and {@code L} orientations, an image {@code x} of size H x W gives
 * {@code 1 + J L + L^2 J (J - 1) / 2} channels of size {@code H / 2^J x W / 2^J}:
 * <ul>
 *   <li>order 0: {@code S0 x = (x * phi_J)(2^J u)};</li>
 *   <li>order 1: {@code S1 x(j1, l1) = (|x * psi_{j1,l1}| * phi_J)(2^J u)} for {@code 0 <= j1 < J};</li>
 *   <li>order 2: {@code S2 x(j1, l1, j2, l2) = (||x * psi_{j1,l1}| * psi_{j2,l2}| * phi_J)(2^J u)}
 *       for {@code j1 < j2 < J}.</li>
 * </ul>
 * Channels are in that order: S0, then S1 by (j1, l1), then S2 by (j1, l1, j2, l2), each
 * lexicographic; within a channel, values are row-major. For J = 2, L = 8 on 28 x 28 images this is
 * 81 channels of 7 x 7, 3,969 features.
 *
 * <p><b>Filters</b> (defined in the Fourier domain, real-valued). With rotation {@code r_l} by
 * {@code theta_l = l pi / L}, {@code w_par = w . (cos theta_l, sin theta_l)} and
 * {@code w_perp = w . (-sin theta_l, cos theta_l)}, and {@code sigma_j = 0.8 2^j},
 * {@code xi_j = (3 pi / 4) 2^-j}, slant {@code s = 4 / L} (the usual 2-D Morlet bank of Bruna and
 * Mallat; the same constants are documented by Kymatio):
 * <pre>
 *   G_j(a, b)        = exp(-sigma_j^2 (a^2 + b^2 / s^2) / 2)
 *   psi^_{j,l}(w)    = G_j(w_par - xi_j, w_perp) - kappa G_j(w_par, w_perp)   (a Morlet wavelet)
 *   phi^(w)          = exp(-sigma_phi^2 |w|^2 / 2),  sigma_phi = 0.8 2^(J-1)
 * </pre>
 * Each is sampled on the DFT grid of the level where it is applied and periodised (summed over
 * shifts by the level's period {@code 2 pi / 2^r}, which is the DTFT of the sampled continuous
 * filter); {@code kappa} is chosen so that the discrete wavelet has exactly zero mean, and phi is
 * scaled so that its DC gain is exactly 1.
 *
 * <p><b>Cascade.</b> As in Bruna and Mallat's fast algorithm (section IV), {@code |x * psi_j|} is
 * computed at sampling interval {@code 2^j} (subsampling done in the Fourier domain by folding the
 * spectrum), and every low-pass output at interval {@code 2^J}.
 *
 * <p><b>Boundaries.</b> {@link Boundary#REFLECT} pads the image by {@code 2^J} pixels on each side
 * by mirror reflection (without repeating the edge pixel) and crops the output back to
 * {@code H / 2^J x W / 2^J}; {@link Boundary#PERIODIC} treats the image as periodic (exact
 * translation covariance for shifts by multiples of {@code 2^J}). H and W must be multiples of
 * {@code 2^J}.
 *
 * <p>Thread-safe: the filters are immutable; each call uses its own work buffers.
 */
public final class ScatteringTransform {

    /** How the image is extended beyond its border. */
    public enum Boundary {
        /** Mirror padding by {@code 2^J} pixels on each side (the edge pixel is not repeated). */
        REFLECT,
        /** The image is one period of a periodic image. */
        PERIODIC
    }

    /** sigma_0, the spatial width of the finest wavelet's envelope, in pixels. */
    static final double SIGMA0 = 0.8;
    /** xi_0, the centre frequency of the finest wavelet, in radians per pixel. */
    static final double XI0 = 3 * Math.PI / 4;
    /** Shifts summed on each side when periodising a filter (Gaussian tails beyond are below 1e-30). */

    private final int height;
    private final int width;
    private final int scales;
    private final int orientations;
    private final Boundary boundary;
    private final int pad;
    private final int paddedHeight;
    private final int paddedWidth;
    private final double slant;
    private final double lowPassSigma;
    /** waveletFilters[r][j * L + l] for r <= j: psi^_{j,l} on the level-r grid (null for r > j). */
    private final double[][][] waveletFilters;
    /** lowPassFilters[r]: phi^ on the level-r grid. */
    private final double[][] lowPassFilters;

    /**
     * @param height       image height in pixels, a positive multiple of {@code 2^scales}
     * @param width        image width in pixels, a positive multiple of {@code 2^scales}
     * @param scales       J, the number of scales and the log2 of the output subsampling, in [1, 6]
     * @param orientations L, the number of orientations in [0, pi), in [1, 16]
     * @param boundary     how the image is extended; with {@link Boundary#REFLECT} both sides must
     *                     exceed {@code 2^scales}
     */
    public ScatteringTransform(int height, int width, int scales, int orientations, Boundary boundary) {
        Checks.inClosedRange("scales", scales, 1, 6);
        Checks.inClosedRange("orientations", orientations, 1, 16);
        Checks.notNull("boundary", boundary);
        int block = 1 << scales;
        if (height < block || height % block != 0) {
            throw new IllegalArgumentException("height must be a positive multiple of 2^scales = " + block
                    + ", got " + height);
        }
        if (width < block || width % block != 0) {
            throw new IllegalArgumentException("width must be a positive multiple of 2^scales = " + block
                    + ", got " + width);
        }
        this.pad = boundary == Boundary.REFLECT ? block : 0;
        if (boundary == Boundary.REFLECT && (height <= pad || width <= pad)) {
            throw new IllegalArgumentException("reflect padding by 2^scales = " + pad + " pixels needs an image "
                    + "larger than that on both sides, got " + height + " x " + width);
        }
        this.height = height;
        this.width = width;
        this.scales = scales;
        this.orientations = orientations;
        this.boundary = boundary;
        this.paddedHeight = height + 2 * pad;
        this.paddedWidth = width + 2 * pad;
        this.slant = 4.0 / orientations;
        this.lowPassSigma = SIGMA0 * Math.pow(2, scales - 1);
        MorletFilterBank bank = new MorletFilterBank(paddedHeight, paddedWidth, orientations, slant, lowPassSigma);
        this.waveletFilters = new double[scales][][];
        this.lowPassFilters = new double[scales + 1][];
        for (int r = 0; r <= scales; r++) {
            lowPassFilters[r] = bank.lowPassFilter(r);
        }
        for (int r = 0; r < scales; r++) {
            waveletFilters[r] = new double[scales * orientations][];
            for (int j = r; j < scales; j++) {
                for (int l = 0; l < orientations; l++) {
                    waveletFilters[r][j * orientations + l] = bank.waveletFilter(r, j, l);
                }
            }
        }
    }

    /** The transform used by the Fashion-MNIST preset: 28 x 28 images, J = 2, L = 8, reflect padding. */
    public static ScatteringTransform fashionMnist() {
        return new ScatteringTransform(28, 28, 2, 8, Boundary.REFLECT);
    }

    // ---------------------------------------------------------------- shape

    /** Image height in pixels. */
    public int height() {
        return height;
    }

    /** Image width in pixels. */
    public int width() {
        return width;
    }

    /** J, the number of scales. */
    public int scales() {
        return scales;
    }

    /** L, the number of orientations. */
    public int orientations() {
        return orientations;
    }

    /** The boundary treatment. */
    public Boundary boundary() {
        return boundary;
    }

    /** Number of output channels: {@code 1 + J L + L^2 J (J - 1) / 2}. */
    public int channels() {
        return 1 + scales * orientations + orientations * orientations * scales * (scales - 1) / 2;
    }

    /** Output height, {@code H / 2^J}. */
    public int outputHeight() {
        return height >> scales;
    }

    /** Output width, {@code W / 2^J}. */
    public int outputWidth() {
        return width >> scales;
    }

    /** Number of features per image: channels x output height x output width. */
    public int outputLength() {
        return channels() * outputHeight() * outputWidth();
    }

    /** The output channel of the first-order coefficient (j1, l1). */
    public int firstOrderChannel(int j1, int l1) {
        checkPath(j1, l1);
        return 1 + j1 * orientations + l1;
    }

    /** The output channel of the second-order coefficient (j1, l1, j2, l2), {@code j1 < j2}. */
    public int secondOrderChannel(int j1, int l1, int j2, int l2) {
        checkPath(j1, l1);
        checkPath(j2, l2);
        if (j2 <= j1) {
            throw new IllegalArgumentException("j2 must be > j1, got j1 = " + j1 + ", j2 = " + j2);
        }
        int channel = 1 + scales * orientations;
        for (int a = 0; a < scales; a++) {
            for (int b = 0; b < orientations; b++) {
                for (int c = a + 1; c < scales; c++) {
                    for (int d = 0; d < orientations; d++) {
                        if (a == j1 && b == l1 && c == j2 && d == l2) {
                            return channel;
                        }
                        channel++;
                    }
                }
            }
        }
        throw new IllegalStateException("unreachable");
    }

    private void checkPath(int j, int l) {
        if (j < 0 || j >= scales || l < 0 || l >= orientations) {
            throw new IllegalArgumentException("scale must be in [0, " + scales + ") and orientation in [0, "
                    + orientations + "), got (" + j + ", " + l + ")");
        }
    }

    /**
     * A stable description of every parameter that affects the output (used as a cache key).
     */
    public String describe() {
        return String.format(Locale.ROOT, "scattering-v1 %dx%d J=%d L=%d %s sigma0=%s xi0=%s slant=%s sigmaPhi=%s",
                height, width, scales, orientations, boundary, SIGMA0, XI0, slant, lowPassSigma);
    }

    // ---------------------------------------------------------------- filters

    /** Buffers and FFTs for one thread, sharing this transform's filters. */
    private ScatteringWorkspace newWorkspace() {
        return new ScatteringWorkspace(height, width, pad, scales, orientations, outputHeight(), outputWidth(),
                waveletFilters, lowPassFilters);
    }

    /**
     * The wavelet psi^_{j,l} as applied to the padded image (level 0): a copy of length
     * {@code paddedHeight x paddedWidth}, row-major over DFT bins. For tests and plots.
     */
    double[] waveletFilter(int j, int l) {
        checkPath(j, l);
        return waveletFilters[0][j * orientations + l].clone();
    }

    /** The low-pass phi^ on the padded image's DFT grid (level 0). A copy. */
    double[] lowPassFilter() {
        return lowPassFilters[0].clone();
    }

    /** Height of the padded image (the level-0 DFT grid). */
    int paddedHeight() {
        return paddedHeight;
    }

    /** Width of the padded image (the level-0 DFT grid). */
    int paddedWidth() {
        return paddedWidth;
    }

    // ---------------------------------------------------------------- transform

    /**
     * The scattering coefficients of one image.
     *
     * @param image H x W pixels, row-major; not modified. Finite values (NaN propagates).
     * @return {@link #outputLength()} coefficients, channel-major (see the class comment)
     */
    public float[] transform(float[] image) {
        Checks.notNull("image", image);
        Checks.equalTo("image.length", image.length, "height x width", (long) height * width);
        float[] out = new float[outputLength()];
        newWorkspace().transform(image, 0, out, 0);
        return out;
    }

    /**
     * The scattering coefficients of {@code count} images stored one after another, computed by
     * {@code threads} worker threads.
     *
     * @param images   {@code count x H x W} pixels, row-major per image; not modified
     * @param count    number of images, {@code >= 0}
     * @param threads  worker threads, {@code >= 1} (1 runs on the calling thread)
     * @param progress called with the number of images finished since its last call (from worker
     *                 threads; it must be thread-safe), or null
     * @return {@code count x outputLength()} coefficients, image after image
     */
    public float[] transformAll(float[] images, int count, int threads, IntConsumer progress) {
        Checks.notNull("images", images);
        Checks.nonNegative("count", count);
        Checks.positive("threads", threads);
        long pixels = (long) height * width;
        Checks.equalTo("images.length", images.length, "count x height x width", count * pixels);
        long outLength = (long) count * outputLength();
        if (outLength > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("count x outputLength() must fit in one array, got " + outLength);
        }
        float[] out = new float[(int) outLength];
        int chunk = 32;
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable worker = () -> {
            ScatteringWorkspace workspace = newWorkspace();
            try {
                for (int start = next.getAndAdd(chunk); start < count && failure.get() == null;
                     start = next.getAndAdd(chunk)) {
                    int end = Math.min(count, start + chunk);
                    for (int i = start; i < end; i++) {
                        workspace.transform(images, (int) (i * pixels), out, i * outputLength());
                    }
                    if (progress != null) {
                        progress.accept(end - start);
                    }
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        };
        if (threads == 1) {
            worker.run();
        } else {
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread thread = new Thread(worker, "dpsgd4j-scattering-" + t);
                thread.setDaemon(true);
                workers.add(thread);
                thread.start();
            }
            for (Thread thread : workers) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failure.compareAndSet(null, e);
                }
            }
        }
        Throwable t = failure.get();
        if (t != null) {
            throw new IllegalStateException("scattering transform failed: " + t, t);
        }
        return out;
    }
}
