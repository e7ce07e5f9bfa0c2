package io.github.dpsgd4j.examples.data;

import io.github.dpsgd4j.common.Checks;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Grayscale images with class labels, held as floats in [0, 1] (pixels are scaled by a fixed,
 * data-independent rule such as {@code /255}, which costs no privacy).
 *
 * <p>Immutable: the arrays are copied in and out. Thread-safe.
 */
public final class LabeledImages {

    private final int height;
    private final int width;
    private final int classes;
    private final float[] pixels;
    private final int[] labels;

    private LabeledImages(int height, int width, int classes, float[] pixels, int[] labels) {
        this.height = height;
        this.width = width;
        this.classes = classes;
        this.pixels = pixels;
        this.labels = labels;
    }

    /**
     * @param height  image height in pixels, {@code >= 1}
     * @param width   image width in pixels, {@code >= 1}
     * @param classes number of classes, {@code >= 2}
     * @param pixels  {@code labels.length x height x width} values in [0, 1], image after image,
     *                row-major; copied
     * @param labels  one class in {@code [0, classes)} per image; copied
     */
    public static LabeledImages of(int height, int width, int classes, float[] pixels, int[] labels) {
        Checks.positive("height", height);
        Checks.positive("width", width);
        if (classes < 2) {
            throw new IllegalArgumentException("classes must be >= 2, got " + classes);
        }
        Checks.notNull("pixels", pixels);
        Checks.notNull("labels", labels);
        Checks.equalTo("pixels.length", pixels.length, "labels.length x height x width",
                (long) labels.length * height * width);
        for (int i = 0; i < pixels.length; i++) {
            if (!(pixels[i] >= 0 && pixels[i] <= 1)) {
                throw new IllegalArgumentException("pixels must be in [0, 1], got " + pixels[i] + " at index " + i);
            }
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("labels must be in [0, " + classes + "), got " + labels[i]
                        + " for image " + i);
            }
        }
        return new LabeledImages(height, width, classes, pixels.clone(), labels.clone());
    }

    /** Images decoded from IDX bytes, scaled by 1/255; labels must be in {@code [0, classes)}. */
    static LabeledImages fromIdx(IdxFormat.Images images, int[] labels, int classes, String name) {
        if (images.count() != labels.length) {
            throw new IllegalArgumentException(name + ": " + images.count() + " images but " + labels.length
                    + " labels");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] >= classes) {
                throw new IllegalArgumentException(name + ": label " + labels[i] + " of example " + i
                        + " is not a class in [0, " + classes + ")");
            }
        }
        byte[] raw = images.pixels();
        float[] pixels = new float[raw.length];
        for (int i = 0; i < raw.length; i++) {
            pixels[i] = (raw[i] & 0xFF) / 255f;
        }
        return new LabeledImages(images.rows(), images.columns(), classes, pixels, labels.clone());
    }

    /** Number of images. */
    public int size() {
        return labels.length;
    }

    /** Image height in pixels. */
    public int height() {
        return height;
    }

    /** Image width in pixels. */
    public int width() {
        return width;
    }

    /** Number of classes. */
    public int classes() {
        return classes;
    }

    /** The class of image {@code i}. */
    public int label(int i) {
        return labels[i];
    }

    /** All labels, a copy. */
    public int[] labels() {
        return labels.clone();
    }

    /** Pixel (row, column) of image {@code i}, in [0, 1]. */
    public float pixel(int i, int row, int column) {
        return pixels[(i * height + row) * width + column];
    }

    /** All pixels, image after image, row-major: a copy. */
    public float[] pixels() {
        return pixels.clone();
    }

    /** The images at {@code indices}, in that order. Not modified. */
    public LabeledImages subset(int[] indices) {
        Checks.notNull("indices", indices);
        int area = height * width;
        float[] p = new float[indices.length * area];
        int[] l = new int[indices.length];
        for (int r = 0; r < indices.length; r++) {
            int i = indices[r];
            if (i < 0 || i >= size()) {
                throw new IllegalArgumentException("indices[" + r + "] must be in [0, " + size() + "), got " + i);
            }
            System.arraycopy(pixels, i * area, p, r * area, area);
            l[r] = labels[i];
        }
        return new LabeledImages(height, width, classes, p, l);
    }

    /** Features [N, height x width] (row-major pixels) and one-hot labels [N, classes], as floats. */
    public DataSet toDataSet() {
        return dataSet(pixels, height * width);
    }

    /**
     * A data set with these labels and other per-image features.
     *
     * @param features      {@code size() x featureLength} values, image after image; not modified
     * @param featureLength features per image, {@code >= 1}
     */
    public DataSet dataSet(float[] features, int featureLength) {
        Checks.notNull("features", features);
        Checks.positive("featureLength", featureLength);
        Checks.equalTo("features.length", features.length, "size() x featureLength", (long) size() * featureLength);
        INDArray x = Nd4j.create(features, new long[] {size(), featureLength}, 'c');
        return new DataSet(x, oneHotLabels());
    }

    /** One-hot labels [N, classes]. */
    public INDArray oneHotLabels() {
        INDArray y = Nd4j.zeros(DataType.FLOAT, size(), classes);
        for (int i = 0; i < labels.length; i++) {
            y.putScalar(i, labels[i], 1f);
        }
        return y;
    }
}
