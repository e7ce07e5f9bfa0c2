package io.github.dpsgd4j.examples.data;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes small IDX files for tests (the format of {@link IdxFormat}). */
public final class IdxFiles {

    private IdxFiles() {
    }

    /** The bytes of an image file: magic, count, rows, columns, then the pixels. */
    public static byte[] images(int count, int rows, int columns, byte[] pixels) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(IdxFormat.IMAGES_MAGIC);
        out.writeInt(count);
        out.writeInt(rows);
        out.writeInt(columns);
        out.write(pixels);
        out.flush();
        return bytes.toByteArray();
    }

    /** The bytes of a label file: magic, count, then the labels. */
    public static byte[] labels(int[] labels) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(IdxFormat.LABELS_MAGIC);
        out.writeInt(labels.length);
        for (int label : labels) {
            out.writeByte(label);
        }
        out.flush();
        return bytes.toByteArray();
    }

    /** {@code content} gzip-compressed. */
    public static byte[] gzip(byte[] content) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            out.write(content);
        }
        return bytes.toByteArray();
    }

    /**
     * Writes a small Fashion-MNIST-shaped data set (28 x 28 images, labels 0..9) with the four
     * standard gz file names into {@code directory}: image i of each set has every pixel equal to
     * {@code (7 i + label) mod 256} and a bright column at x = label, label = i mod 10.
     */
    public static void writeFashionLike(Path directory, int trainCount, int testCount) throws IOException {
        Files.createDirectories(directory);
        write(directory, FashionMnist.TRAIN_IMAGES, FashionMnist.TRAIN_LABELS, trainCount);
        write(directory, FashionMnist.TEST_IMAGES, FashionMnist.TEST_LABELS, testCount);
    }

    private static void write(Path directory, String imagesName, String labelsName, int count) throws IOException {
        byte[] pixels = new byte[count * 28 * 28];
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = i % 10;
            for (int p = 0; p < 28 * 28; p++) {
                pixels[i * 784 + p] = (byte) ((7 * i + labels[i]) % 256);
            }
            for (int y = 0; y < 28; y++) {
                pixels[i * 784 + y * 28 + 2 * labels[i] + 4] = (byte) 255;
            }
        }
        Files.write(directory.resolve(imagesName), gzip(images(count, 28, 28, pixels)));
        Files.write(directory.resolve(labelsName), gzip(labels(labels)));
    }
}
