package io.github.dpsgd4j.examples.features;

import java.util.function.DoubleBinaryOperator;

/**
 * The Morlet wavelets and the Gaussian low-pass of {@link ScatteringTransform}, designed in the
 * frequency domain on the DFT grid of each level r (the padded image sampled at interval 2^r) and
 * periodised over the grid's aliases: psi^_{j,l}(w) = g_j(u - xi_j, v) - kappa g_j(u, v), with u and
 * v the components of w along and across orientation l (angle pi l / L), the envelope
 * g_j(u, v) = exp(-sigma_j^2 (u^2 + v^2 / slant^2) / 2), sigma_j = SIGMA0 2^j, centre frequency
 * xi_j = XI0 / 2^j and kappa chosen so the filter has zero mean; phi^(w) =
 * exp(-sigma^2 |w|^2 / 2) scaled to a DC gain of exactly 1. Pure functions of the constructor's
 * arguments.
 */
final class MorletFilterBank {

    /** Periodic images summed on each side of a frequency (the Gaussians are negligible beyond). */
    private static final int PERIODISATION_TERMS = 3;

    private final int paddedHeight;
    private final int paddedWidth;
    private final int orientations;
    private final double slant;
    private final double lowPassSigma;

    /**
     * @param paddedHeight the padded image's height (the level-0 grid)
     * @param paddedWidth  the padded image's width
     * @param orientations L, the number of orientations in [0, pi)
     * @param slant        the envelope's aspect ratio (perpendicular over parallel width)
     * @param lowPassSigma the low-pass Gaussian's width in pixels
     */
    MorletFilterBank(int paddedHeight, int paddedWidth, int orientations, double slant, double lowPassSigma) {
        this.paddedHeight = paddedHeight;
        this.paddedWidth = paddedWidth;
        this.orientations = orientations;
        this.slant = slant;
        this.lowPassSigma = lowPassSigma;
    }

    /** Rows of the level-r grid (sampling interval 2^r on the padded image). */
    private int rows(int level) {
        return paddedHeight >> level;
    }

    private int columns(int level) {
        return paddedWidth >> level;
    }

    /** Angular frequency, in radians per pixel, of DFT bin {@code k} of an n-point grid at interval 2^r. */
    private static double frequency(int k, int n, int level) {
        int wrapped = k <= n / 2 ? k : k - n;
        return 2 * Math.PI * wrapped / ((double) n * (1 << level));
    }

    private double waveletEnvelope(int j, double parallel, double perpendicular) {
        double sigma = ScatteringTransform.SIGMA0 * (1 << j);
        return Math.exp(-0.5 * sigma * sigma * (parallel * parallel + perpendicular * perpendicular / (slant * slant)));
    }

    /** psi^_{j,l} on the level-r grid, periodised, with kappa set for an exactly zero mean. */
    double[] waveletFilter(int level, int j, int l) {
        double theta = Math.PI * l / orientations;
        double cos = Math.cos(theta);
        double sin = Math.sin(theta);
        double xi = ScatteringTransform.XI0 / (1 << j);
        // kappa: the Gaussian envelope's share that cancels the shifted envelope at frequency 0.
        double shiftedAtZero = periodisedSum(level, 0, 0,
                (wx, wy) -> waveletEnvelope(j, wx * cos + wy * sin - xi, -wx * sin + wy * cos));
        double envelopeAtZero = periodisedSum(level, 0, 0,
                (wx, wy) -> waveletEnvelope(j, wx * cos + wy * sin, -wx * sin + wy * cos));
        double kappa = shiftedAtZero / envelopeAtZero;
        double[] filter = periodisedFilter(level, (wx, wy) -> {
            double parallel = wx * cos + wy * sin;
            double perpendicular = -wx * sin + wy * cos;
            return waveletEnvelope(j, parallel - xi, perpendicular) - kappa * waveletEnvelope(j, parallel, perpendicular);
        });
        filter[0] = 0; // exactly zero mean (the sum above is zero up to rounding)
        return filter;
    }

    /** phi^ on the level-r grid, periodised and scaled to a DC gain of exactly 1. */
    double[] lowPassFilter(int level) {
        double[] filter = periodisedFilter(level,
                (wx, wy) -> Math.exp(-0.5 * lowPassSigma * lowPassSigma * (wx * wx + wy * wy)));
        double dc = filter[0];
        for (int i = 0; i < filter.length; i++) {
            filter[i] /= dc;
        }
        return filter;
    }

    /** {@code spectrum} sampled on the level-r DFT grid (row-major), each bin periodised. */
    private double[] periodisedFilter(int level, DoubleBinaryOperator spectrum) {
        int rows = rows(level);
        int columns = columns(level);
        double[] filter = new double[rows * columns];
        for (int ky = 0; ky < rows; ky++) {
            double wy = frequency(ky, rows, level);
            for (int kx = 0; kx < columns; kx++) {
                filter[ky * columns + kx] = periodisedSum(level, frequency(kx, columns, level), wy, spectrum);
            }
        }
        return filter;
    }

    /**
     * The sum of {@code spectrum} over the periodic images of frequency (wx0, wy0) on the level-r grid
     * (period 2 pi / 2^r in each direction), truncated to +-PERIODISATION_TERMS images.
     */
    private static double periodisedSum(int level, double wx0, double wy0, DoubleBinaryOperator spectrum) {
        double period = 2 * Math.PI / (1 << level);
        double sum = 0;
        for (int my = -PERIODISATION_TERMS; my <= PERIODISATION_TERMS; my++) {
            for (int mx = -PERIODISATION_TERMS; mx <= PERIODISATION_TERMS; mx++) {
                sum += spectrum.applyAsDouble(wx0 + mx * period, wy0 + my * period);
            }
        }
        return sum;
    }
}
