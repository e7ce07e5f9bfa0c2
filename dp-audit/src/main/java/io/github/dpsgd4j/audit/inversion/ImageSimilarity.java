package io.github.dpsgd4j.audit.inversion;

import io.github.dpsgd4j.common.Checks;

/**
 * Similarity of grayscale images stored row-major as double arrays. Arrays are not modified.
 * Thread-safe.
 */
public final class ImageSimilarity {

    private ImageSimilarity() {
    }

    /** Pearson correlation of the pixels; NaN when either image is constant. */
    public static double pearson(double[] a, double[] b) {
        checkSameLength(a, b);
        double ma = mean(a);
        double mb = mean(b);
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < a.length; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return sab / Math.sqrt(saa * sbb);
    }

    /** Mean squared error per pixel. */
    public static double mse(double[] a, double[] b) {
        checkSameLength(a, b);
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return s / a.length;
    }

    /** Euclidean distance. */
    public static double distance(double[] a, double[] b) {
        return Math.sqrt(mse(a, b) * a.length);
    }

    /**
     * Mean SSIM over all {@code window} x {@code window} windows (stride 1, uniform weights) of
     * Wang, Bovik, Sheikh and Simoncelli (2004, "Image quality assessment: from error visibility to
     * structural similarity", IEEE TIP 13): ((2 mu<sub>x</sub> mu<sub>y</sub> + C1)(2
     * sigma<sub>xy</sub> + C2)) / ((mu<sub>x</sub><sup>2</sup> + mu<sub>y</sub><sup>2</sup> + C1)
     * (sigma<sub>x</sub><sup>2</sup> + sigma<sub>y</sub><sup>2</sup> + C2)), C1 = (0.01 L)<sup>2</sup>,
     * C2 = (0.03 L)<sup>2</sup>. 1 for identical images.
     *
     * @param width        image width, > 0
     * @param height       image height, > 0; width * height == a.length
     * @param window       window side in [1, min(width, height)]: 3 for 8x8 digits, 7 for 28x28
     * @param dynamicRange L, finite and > 0 (1 for pixels in [0, 1])
     */
    public static double ssim(double[] a, double[] b, int width, int height, int window, double dynamicRange) {
        checkSameLength(a, b);
        Checks.positive("width", width);
        Checks.positive("height", height);
        Checks.equalTo("a.length", a.length, "width * height", (long) width * height);
        if (window < 1 || window > Math.min(width, height)) {
            throw new IllegalArgumentException("window must be in [1, " + Math.min(width, height) + "], got " + window);
        }
        Checks.finitePositive("dynamicRange", dynamicRange);
        double c1 = Math.pow(0.01 * dynamicRange, 2);
        double c2 = Math.pow(0.03 * dynamicRange, 2);
        double total = 0;
        int windows = 0;
        int m = window * window;
        for (int top = 0; top + window <= height; top++) {
            for (int left = 0; left + window <= width; left++) {
                double sa = 0;
                double sb = 0;
                for (int r = top; r < top + window; r++) {
                    for (int c = left; c < left + window; c++) {
                        sa += a[r * width + c];
                        sb += b[r * width + c];
                    }
                }
                double ma = sa / m;
                double mb = sb / m;
                double va = 0;
                double vb = 0;
                double cov = 0;
                for (int r = top; r < top + window; r++) {
                    for (int c = left; c < left + window; c++) {
                        double da = a[r * width + c] - ma;
                        double db = b[r * width + c] - mb;
                        va += da * da;
                        vb += db * db;
                        cov += da * db;
                    }
                }
                int dof = Math.max(1, m - 1);
                va /= dof;
                vb /= dof;
                cov /= dof;
                total += ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
                windows++;
            }
        }
        return total / windows;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    private static void checkSameLength(double[] a, double[] b) {
        Checks.notNull("a", a);
        Checks.notNull("b", b);
        if (a.length == 0) {
            throw new IllegalArgumentException("a must hold at least one pixel, got none");
        }
        Checks.equalTo("b.length", b.length, "a.length", a.length);
    }
}
