package io.github.dpsgd4j.examples.audit;

import io.github.dpsgd4j.accounting.Checks;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads Fashion-MNIST (Xiao, Rasul and Vollgraf 2017; MIT license, Zalando) from the IDX files
 * installed by {@code apt-get install dataset-fashion-mnist} under
 * {@code /usr/share/datasets/fashion-mnist}: gzip of a big-endian header (magic 0x00000803 for
 * images, 0x00000801 for labels, then one 32-bit size per dimension) followed by unsigned bytes.
 * Pixels are scaled from 0..255 to [0, 1]; labels are one-hot over 10 classes. Nothing is
 * downloaded. Stateless and thread-safe.
 */
public final class FashionMnist {

    /** Where the Debian package installs the files. */
    public static final Path DEFAULT_DIRECTORY = Path.of("/usr/share/datasets/fashion-mnist");
    /** Image side (28). */
    public static final int SIDE = 28;
    /** Classes (10). */
    public static final int CLASSES = 10;

    private FashionMnist() {
    }

    /** Whether the training files are present in {@code directory}. */
    public static boolean isInstalled(Path directory) {
        return Files.isRegularFile(directory.resolve("train-images-idx3-ubyte.gz"))
                && Files.isRegularFile(directory.resolve("train-labels-idx1-ubyte.gz"));
    }

    /**
     * The first {@code count} training images.
     *
     * @param directory holds train-images-idx3-ubyte.gz and train-labels-idx1-ubyte.gz
     * @param count     in [1, 60000]
     * @throws IOException if a file is missing or malformed
     */
    public static DataSet loadTrain(Path directory, int count) throws IOException {
        Checks.notNull("directory", directory);
        Checks.positive("count", count);
        byte[] pixels = read(directory.resolve("train-images-idx3-ubyte.gz"), 0x803, count, SIDE * SIDE);
        byte[] labels = read(directory.resolve("train-labels-idx1-ubyte.gz"), 0x801, count, 1);
        float[] x = new float[count * SIDE * SIDE];
        for (int i = 0; i < x.length; i++) {
            x[i] = (pixels[i] & 0xFF) / 255f;
        }
        INDArray features = Nd4j.createFromArray(x).reshape(count, SIDE * SIDE);
        INDArray y = Nd4j.zeros(DataType.FLOAT, count, CLASSES);
        for (int i = 0; i < count; i++) {
            int label = labels[i] & 0xFF;
            if (label >= CLASSES) {
                throw new IOException("label " + i + " is " + label + ", expected 0..9");
            }
            y.putScalar(i, label, 1f);
        }
        return new DataSet(features, y);
    }

    private static byte[] read(Path file, int magic, int count, int itemSize) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("missing " + file + " (install it with: apt-get install dataset-fashion-mnist)");
        }
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new GZIPInputStream(raw, 1 << 16))) {
            int m = in.readInt();
            if (m != magic) {
                throw new IOException(file + ": magic " + Integer.toHexString(m) + ", expected " + Integer.toHexString(magic));
            }
            int n = in.readInt();
            int dims = (magic & 0xFF) - 1;
            long size = 1;
            for (int k = 0; k < dims; k++) {
                size *= in.readInt();
            }
            if (size != itemSize) {
                throw new IOException(file + ": items of " + size + " bytes, expected " + itemSize);
            }
            if (count > n) {
                throw new IOException(file + " holds " + n + " items, asked for " + count);
            }
            byte[] out = new byte[count * itemSize];
            in.readFully(out);
            return out;
        }
    }
}
