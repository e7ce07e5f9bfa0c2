package io.github.dpsgd4j.examples.features;

/**
 * One thread's buffers and FFTs for {@link ScatteringTransform}: the padded image's spectrum, the
 * first- and second-order modulus spectra per level, and the low-pass output, with the filters
 * shared read-only between threads. Not thread-safe: one per thread.
 */
final class ScatteringWorkspace {
    private final int height;
    private final int width;
    private final int pad;
    private final int scales;
    private final int orientations;
    private final int paddedHeight;
    private final int paddedWidth;
    private final int outputHeight;
    private final int outputWidth;
    private final double[][][] waveletFilters;
    private final double[][] lowPassFilters;
    private final ComplexFft2d[] fft;
    private final double[] spectrum;
    private final double[][] firstOrder;
    private final double[][] secondOrder;
    private final double[] lowPass;

    ScatteringWorkspace(int height, int width, int pad, int scales, int orientations, int outputHeight,
                        int outputWidth, double[][][] waveletFilters, double[][] lowPassFilters) {
        this.height = height;
        this.width = width;
        this.pad = pad;
        this.scales = scales;
        this.orientations = orientations;
        this.paddedHeight = height + 2 * pad;
        this.paddedWidth = width + 2 * pad;
        this.outputHeight = outputHeight;
        this.outputWidth = outputWidth;
        this.waveletFilters = waveletFilters;
        this.lowPassFilters = lowPassFilters;
        this.fft = new ComplexFft2d[scales + 1];
        this.firstOrder = new double[scales][];
        this.secondOrder = new double[scales][];
        for (int r = 0; r <= scales; r++) {
            fft[r] = new ComplexFft2d(rows(r), columns(r));
        }
        spectrum = new double[2 * rows(0) * columns(0)];
        for (int r = 0; r < scales; r++) {
            firstOrder[r] = new double[2 * rows(r) * columns(r)];
            secondOrder[r] = new double[2 * rows(r) * columns(r)];
        }
        lowPass = new double[2 * rows(scales) * columns(scales)];
    }

    void transform(float[] images, int imageOffset, float[] out, int outOffset) {
        loadPadded(images, imageOffset);
        fft[0].forward(spectrum);
        lowPassToOutput(spectrum, 0, out, outOffset, 0);
        int secondOrderChannel = 1 + scales * orientations;
        for (int j1 = 0; j1 < scales; j1++) {
            for (int l1 = 0; l1 < orientations; l1++) {
                modulusSpectrum(spectrum, 0, waveletFilters[0][j1 * orientations + l1], j1, firstOrder[j1]);
                lowPassToOutput(firstOrder[j1], j1, out, outOffset, 1 + j1 * orientations + l1);
                for (int j2 = j1 + 1; j2 < scales; j2++) {
                    for (int l2 = 0; l2 < orientations; l2++) {
                        modulusSpectrum(firstOrder[j1], j1, waveletFilters[j1][j2 * orientations + l2], j2,
                                secondOrder[j2]);
                        lowPassToOutput(secondOrder[j2], j2, out, outOffset, secondOrderChannel++);
                    }
                }
            }
        }
    }

    /** The padded image as a complex array (imaginary parts 0). */
    private void loadPadded(float[] images, int offset) {
        int columns = paddedWidth;
        for (int y = 0; y < paddedHeight; y++) {
            int sy = reflect(y - pad, height);
            for (int x = 0; x < columns; x++) {
                int sx = reflect(x - pad, width);
                int i = 2 * (y * columns + x);
                spectrum[i] = images[offset + sy * width + sx];
                spectrum[i + 1] = 0;
            }
        }
    }

    /**
     * dest = DFT( |IDFT( fold_{2^(outLevel - inLevel)}( source x filter ) )| ) on the
     * outLevel grid: the modulus of a wavelet convolution sampled at interval 2^outLevel.
     */
    private void modulusSpectrum(double[] source, int inLevel, double[] filter, int outLevel, double[] dest) {
        fold(source, inLevel, filter, outLevel, dest);
        ComplexFft2d transform = fft[outLevel];
        transform.inverse(dest);
        int n = rows(outLevel) * columns(outLevel);
        for (int i = 0; i < n; i++) {
            double re = dest[2 * i];
            double im = dest[2 * i + 1];
            dest[2 * i] = Math.sqrt(re * re + im * im);
            dest[2 * i + 1] = 0;
        }
        transform.forward(dest);
    }

    /** Low-pass of the level-r spectrum, sampled at interval 2^J, real part cropped into channel. */
    private void lowPassToOutput(double[] source, int level, float[] out, int outOffset, int channel) {
        fold(source, level, lowPassFilters[level], scales, lowPass);
        fft[scales].inverse(lowPass);
        int columns = columns(scales);
        int crop = pad >> scales;
        int outHeight = outputHeight;
        int outWidth = outputWidth;
        int base = outOffset + channel * outHeight * outWidth;
        for (int y = 0; y < outHeight; y++) {
            for (int x = 0; x < outWidth; x++) {
                out[base + y * outWidth + x] = (float) lowPass[2 * ((y + crop) * columns + x + crop)];
            }
        }
    }

    /**
     * dest = (1 / f^2) sum over aliases of (source x filter), f = 2^(outLevel - inLevel): the
     * spectrum of the product's inverse transform sampled every f points.
     */
    private void fold(double[] source, int inLevel, double[] filter, int outLevel, double[] dest) {
        int inRows = rows(inLevel);
        int inColumns = columns(inLevel);
        int outRows = rows(outLevel);
        int outColumns = columns(outLevel);
        java.util.Arrays.fill(dest, 0, 2 * outRows * outColumns, 0.0);
        for (int ky = 0; ky < inRows; ky++) {
            int oy = (ky % outRows) * outColumns;
            int rowStart = ky * inColumns;
            for (int kx = 0; kx < inColumns; kx++) {
                double g = filter[rowStart + kx];
                if (g == 0) {
                    continue;
                }
                int i = 2 * (rowStart + kx);
                int o = 2 * (oy + kx % outColumns);
                dest[o] += g * source[i];
                dest[o + 1] += g * source[i + 1];
            }
        }
        int factor = 1 << (outLevel - inLevel);
        if (factor > 1) {
            double scale = 1.0 / ((double) factor * factor);
            for (int i = 0; i < 2 * outRows * outColumns; i++) {
                dest[i] *= scale;
            }
        }
    }

    /** Rows of the level-r grid (sampling interval 2^r on the padded image). */
    private int rows(int level) {
        return paddedHeight >> level;
    }

    private int columns(int level) {
        return paddedWidth >> level;
    }

    /** Mirror index into [0, n) without repeating the edge: -1 -> 1, n -> n - 2. */
    private static int reflect(int i, int n) {
        if (i < 0) {
            return -i;
        }
        if (i >= n) {
            return 2 * (n - 1) - i;
        }
        return i;
    }
}
