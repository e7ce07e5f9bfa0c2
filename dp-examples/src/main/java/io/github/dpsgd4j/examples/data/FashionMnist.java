package io.github.dpsgd4j.examples.data;

import io.github.dpsgd4j.common.Checks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Loads Fashion-MNIST (Xiao, Rasul and Vollgraf 2017, arXiv:1708.07747; MIT license, Zalando
 * Research): 60,000 training and 10,000 test grayscale images of 28 x 28 pixels in 10 classes of
 * clothing. Nothing is downloaded: the four IDX files are read from a directory, by default
 * {@value #DEFAULT_DIRECTORY_NAME}, where the Debian/Ubuntu package {@code dataset-fashion-mnist}
 * installs them. Each file is looked for with its {@code .gz} name first, then uncompressed.
 *
 * <p>Pixels are scaled to [0, 1] by dividing by 255, a fixed rule that costs no privacy.
 * Stateless and thread-safe.
 */
public final class FashionMnist {

    /** Where {@code sudo apt-get install dataset-fashion-mnist} puts the files. */
    public static final String DEFAULT_DIRECTORY_NAME = "/usr/share/datasets/fashion-mnist";
    /** {@link #DEFAULT_DIRECTORY_NAME} as a path. */
    public static final Path DEFAULT_DIRECTORY = Path.of(DEFAULT_DIRECTORY_NAME);
    /** Training images. */
    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte.gz";
    /** Training labels. */
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte.gz";
    /** Test images. */
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte.gz";
    /** Test labels. */
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte.gz";
    /** The four files, in the order they are read. */
    public static final List<String> FILES = List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);
    /** Image height and width in pixels. */
    public static final int SIDE = 28;
    /** Number of classes. */
    public static final int CLASSES = 10;
    /** Class names, by label. */
    public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private FashionMnist() {
    }

    /**
     * Reads the training and test sets from {@code directory}.
     *
     * @throws IllegalArgumentException if a file is missing (the message says how to install the
     *                                  data), malformed, or the images are not 28 x 28 with labels
     *                                  0..9 in matching numbers
     * @throws IOException              if a file exists but cannot be read
     */
    public static TrainTestSplit load(Path directory) throws IOException {
        Checks.notNull("directory", directory);
        for (String name : FILES) {
            locate(directory, name);
        }
        LabeledImages train = read(directory, TRAIN_IMAGES, TRAIN_LABELS);
        LabeledImages test = read(directory, TEST_IMAGES, TEST_LABELS);
        return new TrainTestSplit(train, test);
    }

    /** Whether all four files are present in {@code directory} (compressed or not). */
    public static boolean isInstalled(Path directory) {
        for (String name : FILES) {
            if (!Files.isRegularFile(directory.resolve(name))
                    && !Files.isRegularFile(directory.resolve(uncompressedName(name)))) {
                return false;
            }
        }
        return true;
    }

    private static LabeledImages read(Path directory, String imagesName, String labelsName) throws IOException {
        Path imagesFile = locate(directory, imagesName);
        Path labelsFile = locate(directory, labelsName);
        IdxFormat.Images images = IdxFormat.readImages(imagesFile);
        if (images.rows() != SIDE || images.columns() != SIDE) {
            throw new IllegalArgumentException(imagesFile + ": Fashion-MNIST images are " + SIDE + " x " + SIDE
                    + " pixels, this file has " + images.rows() + " x " + images.columns());
        }
        int[] labels = IdxFormat.readLabels(labelsFile);
        return LabeledImages.fromIdx(images, labels, CLASSES, imagesFile + " and " + labelsFile);
    }

    private static Path locate(Path directory, String name) {
        Path compressed = directory.resolve(name);
        if (Files.isRegularFile(compressed)) {
            return compressed;
        }
        Path plain = directory.resolve(uncompressedName(name));
        if (Files.isRegularFile(plain)) {
            return plain;
        }
        throw new IllegalArgumentException("Fashion-MNIST not found: " + compressed + " is missing. Install it with "
                + "'sudo apt-get install dataset-fashion-mnist', or pass --data DIR with the files "
                + String.join(", ", FILES));
    }

    private static String uncompressedName(String name) {
        return name.substring(0, name.length() - ".gz".length());
    }
}
