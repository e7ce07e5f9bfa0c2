package io.github.dpsgd4j.datasets;

import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.common.Shuffles;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;

/**
 * The bundled 8x8 handwritten digits (1,797 images, 10 classes; UCI "Optical Recognition of
 * Handwritten Digits" test set, as shipped by scikit-learn; attribution in
 * {@code digits-ATTRIBUTION.txt} beside the data). Small enough for tests, demos and audits that
 * run in seconds.
 *
 * <p>Features are the 64 pixels scaled from 0..16 to [0, 1] (a fixed, data-independent scaling,
 * so it costs no privacy), labels are one-hot. Thread-safe: every call returns new arrays.
 */
public final class DigitsDataset {

    /** Number of images. */
    public static final int SIZE = 1797;
    /** Pixels per image (8 x 8). */
    public static final int FEATURES = 64;
    /** Number of classes. */
    public static final int CLASSES = 10;
    private static final String RESOURCE = "digits.csv.gz";

    private final float[][] pixels;
    private final int[] labels;

    private DigitsDataset(float[][] pixels, int[] labels) {
        this.pixels = pixels;
        this.labels = labels;
    }

    /** Reads the bundled file. */
    public static DigitsDataset load() {
        try (InputStream raw = DigitsDataset.class.getResourceAsStream(RESOURCE)) {
            if (raw == null) {
                throw new IllegalStateException("bundled resource " + RESOURCE + " is missing from the classpath");
            }
            List<float[]> rows = new ArrayList<>(SIZE);
            List<Integer> classes = new ArrayList<>(SIZE);
            BufferedReader reader = new BufferedReader(new InputStreamReader(new GZIPInputStream(raw),
                    StandardCharsets.US_ASCII));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                String[] fields = line.split(",");
                if (fields.length != FEATURES + 1) {
                    throw new IllegalStateException("digits line " + (rows.size() + 1) + " has " + fields.length
                            + " fields, expected " + (FEATURES + 1));
                }
                float[] row = new float[FEATURES];
                for (int j = 0; j < FEATURES; j++) {
                    row[j] = Integer.parseInt(fields[j].trim()) / 16f;
                }
                rows.add(row);
                classes.add(Integer.parseInt(fields[FEATURES].trim()));
            }
            int[] labels = classes.stream().mapToInt(Integer::intValue).toArray();
            return new DigitsDataset(rows.toArray(new float[0][]), labels);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read bundled " + RESOURCE, e);
        }
    }

    /** Number of images. */
    public int size() {
        return labels.length;
    }

    /** The class label of image {@code i}. */
    public int label(int i) {
        return labels[i];
    }

    /** All images: features [N, 64] in [0, 1], one-hot labels [N, 10]. */
    public DataSet all() {
        int[] everything = new int[size()];
        for (int i = 0; i < everything.length; i++) {
            everything[i] = i;
        }
        return subset(everything);
    }

    /** The images at {@code indices}, in that order. Not modified. */
    public DataSet subset(int[] indices) {
        Checks.notNull("indices", indices);
        INDArray x = Nd4j.create(DataType.FLOAT, indices.length, FEATURES);
        INDArray y = Nd4j.zeros(DataType.FLOAT, indices.length, CLASSES);
        float[] flat = new float[indices.length * FEATURES];
        for (int r = 0; r < indices.length; r++) {
            int i = indices[r];
            if (i < 0 || i >= size()) {
                throw new IllegalArgumentException("indices[" + r + "] must be in [0, " + size() + "), got " + i);
            }
            System.arraycopy(pixels[i], 0, flat, r * FEATURES, FEATURES);
            y.putScalar(r, labels[i], 1f);
        }
        x.assign(Nd4j.createFromArray(flat).reshape(indices.length, FEATURES));
        return new DataSet(x, y);
    }

    /**
     * A train/test split: a seeded shuffle (the split is public and data-independent), then the
     * first {@code round(testFraction * N)} images are the test set.
     *
     * @param testFraction in (0, 1)
     */
    public Split split(double testFraction, long seed) {
        Checks.openUnitInterval("testFraction", testFraction);
        int[] order = Shuffles.permutation(size(), new Random(seed));
        int test = (int) Math.round(testFraction * order.length);
        int[] testIdx = java.util.Arrays.copyOfRange(order, 0, test);
        int[] trainIdx = java.util.Arrays.copyOfRange(order, test, order.length);
        return new Split(subset(trainIdx), subset(testIdx), trainIdx, testIdx);
    }

    /**
     * A train/test split with the indices (into the full data set) of each part.
     *
     * @param train        training examples
     * @param test         test examples
     * @param trainIndices indices of the training examples
     * @param testIndices  indices of the test examples
     */
    public record Split(DataSet train, DataSet test, int[] trainIndices, int[] testIndices) {
    }
}
