package io.github.dpsgd4j.examples.features;

import org.jtransforms.fft.DoubleFFT_1D;

/**
 * A two-dimensional complex DFT of a fixed size, done as 1-D JTransforms transforms over rows and
 * then columns, on the calling thread. Arrays are row-major and interleaved: element (y, x) has its
 * real part at {@code 2 * (y * columns + x)} and its imaginary part just after.
 *
 * <p>Conventions: {@link #forward} computes {@code X(k) = sum_n x(n) exp(-2 pi i k.n / size)},
 * unnormalised; {@link #inverse} computes {@code x(n) = (1 / (rows columns)) sum_k X(k)
 * exp(+2 pi i k.n / size)}, so that {@code inverse(forward(x)) = x}. The inverse is scaled here
 * rather than by JTransforms, and the sizes used by the scattering transform are far below
 * JTransforms' multithreading thresholds, so its global thread pool is never used.
 *
 * <p>Not thread-safe (it owns a column buffer): use one instance per thread.
 */
final class ComplexFft2d {

    private final int rows;
    private final int columns;
    private final DoubleFFT_1D rowTransform;
    private final DoubleFFT_1D columnTransform;
    private final double[] column;

    ComplexFft2d(int rows, int columns) {
        if (rows < 1 || columns < 1) {
            throw new IllegalArgumentException("rows and columns must be >= 1, got " + rows + " x " + columns);
        }
        this.rows = rows;
        this.columns = columns;
        this.rowTransform = new DoubleFFT_1D(columns);
        this.columnTransform = new DoubleFFT_1D(rows);
        this.column = new double[2 * rows];
    }

    int rows() {
        return rows;
    }

    int columns() {
        return columns;
    }

    /** In place, unnormalised forward transform of {@code a} (length {@code 2 rows columns}). */
    void forward(double[] a) {
        for (int y = 0; y < rows; y++) {
            rowTransform.complexForward(a, 2 * y * columns);
        }
        for (int x = 0; x < columns; x++) {
            gatherColumn(a, x);
            columnTransform.complexForward(column);
            scatterColumn(a, x, 1.0);
        }
    }

    /** In place inverse transform of {@code a}, scaled by {@code 1 / (rows columns)}. */
    void inverse(double[] a) {
        for (int y = 0; y < rows; y++) {
            rowTransform.complexInverse(a, 2 * y * columns, false);
        }
        double scale = 1.0 / ((double) rows * columns);
        for (int x = 0; x < columns; x++) {
            gatherColumn(a, x);
            columnTransform.complexInverse(column, false);
            scatterColumn(a, x, scale);
        }
    }

    private void gatherColumn(double[] a, int x) {
        for (int y = 0, i = 2 * x; y < rows; y++, i += 2 * columns) {
            column[2 * y] = a[i];
            column[2 * y + 1] = a[i + 1];
        }
    }

    private void scatterColumn(double[] a, int x, double scale) {
        for (int y = 0, i = 2 * x; y < rows; y++, i += 2 * columns) {
            a[i] = column[2 * y] * scale;
            a[i + 1] = column[2 * y + 1] * scale;
        }
    }
}
