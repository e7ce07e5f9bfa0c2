package io.github.dpsgd4j.examples.data;

import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.datasets.DigitsDataset;
import org.nd4j.linalg.dataset.DataSet;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The data sets the command line trains on. */
public enum DatasetName {

    /**
     * The bundled 8 x 8 digits (1,797 images; {@link DigitsDataset}), split once into 1,438
     * training and 359 test images by a fixed public shuffle (seed {@value #DIGITS_SPLIT_SEED}).
     */
    DIGITS("digits"),

    /** Fashion-MNIST (60,000 training and 10,000 test images of 28 x 28), from an installed copy. */
    FASHION_MNIST("fashion-mnist");

    /** Fraction of the digits held out for testing. */
    public static final double DIGITS_TEST_FRACTION = 0.2;
    /** Seed of the public digits split (a fixed, data-independent shuffle). */
    public static final long DIGITS_SPLIT_SEED = 0;

    private final String cliName;

    DatasetName(String cliName) {
        this.cliName = cliName;
    }

    /** The name on the command line and in reports. */
    public String cliName() {
        return cliName;
    }

    /**
     * The data set named {@code name} (case-insensitive).
     *
     * @throws IllegalArgumentException naming the known data sets if there is none
     */
    public static DatasetName parse(String name) {
        Checks.notNull("name", name);
        for (DatasetName d : values()) {
            if (d.cliName.equalsIgnoreCase(name.trim())) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown dataset '" + name + "': expected one of " + names());
    }

    /** The known names, comma-separated. */
    public static String names() {
        return Arrays.stream(values()).map(DatasetName::cliName).collect(Collectors.joining(", "));
    }

    /**
     * Loads the training and test sets.
     *
     * @param directory where Fashion-MNIST's files are (ignored for the bundled digits)
     * @throws IllegalArgumentException if the files are missing (with how to install them) or malformed
     * @throws IOException              if a file cannot be read
     */
    public TrainTestSplit load(Path directory) throws IOException {
        return switch (this) {
            case DIGITS -> digits();
            case FASHION_MNIST -> FashionMnist.load(Checks.notNull("directory", directory));
        };
    }

    private static TrainTestSplit digits() {
        DigitsDataset digits = DigitsDataset.load();
        DigitsDataset.Split split = digits.split(DIGITS_TEST_FRACTION, DIGITS_SPLIT_SEED);
        return new TrainTestSplit(images(split.train(), split.trainIndices(), digits),
                images(split.test(), split.testIndices(), digits));
    }

    private static LabeledImages images(DataSet data, int[] indices, DigitsDataset digits) {
        float[] pixels = data.getFeatures().dup('c').data().asFloat();
        int[] labels = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            labels[i] = digits.label(indices[i]);
        }
        return LabeledImages.of(8, 8, DigitsDataset.CLASSES, pixels, labels);
    }

    @Override
    public String toString() {
        return cliName.toLowerCase(Locale.ROOT);
    }
}
