package io.github.dpsgd4j.examples.data;

import io.github.dpsgd4j.common.Checks;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the IDX files of MNIST and Fashion-MNIST (LeCun, Cortes and Burges, "The MNIST database of
 * handwritten digits"; Xiao, Rasul and Vollgraf 2017, "Fashion-MNIST", arXiv:1708.07747), plain or
 * gzip-compressed (recognised by the gzip magic bytes, whatever the file name).
 *
 * <p>Format: a big-endian header, the 32-bit magic number {@code 0x00000803} for an image file
 * (unsigned bytes, 3 dimensions) or {@code 0x00000801} for a label file (unsigned bytes, 1
 * dimension), then one 32-bit size per dimension, then the data, one unsigned byte per value,
 * row-major. Anything else, a missing or extra byte, or corrupt compression is rejected with an
 * {@link IllegalArgumentException} that names the file and what is wrong.
 *
 * <p>Stateless and thread-safe.
 */
public final class IdxFormat {

    /** Magic number of an IDX file of unsigned bytes with 3 dimensions (images). */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Magic number of an IDX file of unsigned bytes with 1 dimension (labels). */
    public static final int LABELS_MAGIC = 0x00000801;
    /** Largest number of data bytes accepted in one file (1 GiB). */
    static final long MAX_DATA_BYTES = 1L << 30;

    private IdxFormat() {
    }

    /**
     * Images of an IDX image file.
     *
     * @param count  number of images
     * @param rows   image height in pixels
     * @param columns image width in pixels
     * @param pixels {@code count x rows x columns} unsigned bytes (0..255 as Java bytes), image after
     *               image, row-major
     */
    public record Images(int count, int rows, int columns, byte[] pixels) {
        public Images {
            Checks.notNull("pixels", pixels);
            Checks.equalTo("pixels.length", pixels.length, "count x rows x columns", (long) count * rows * columns);
        }

        /** Pixel (row, column) of image {@code i} as an integer 0..255. */
        public int pixel(int i, int row, int column) {
            return pixels[(i * rows + row) * columns + column] & 0xFF;
        }
    }

    /**
     * Reads an image file.
     *
     * @throws NoSuchFileException      if the file does not exist
     * @throws IOException              if it cannot be read
     * @throws IllegalArgumentException if it is not a well-formed IDX image file
     */
    public static Images readImages(Path file) throws IOException {
        Checks.notNull("file", file);
        try (InputStream in = open(file)) {
            return readImages(in, file.toString());
        }
    }

    /**
     * Reads an image file from a stream (plain or gzip), which is read to its end but not closed.
     *
     * @param name how the stream is named in error messages
     */
    public static Images readImages(InputStream stream, String name) throws IOException {
        DataInputStream in = new DataInputStream(decompressIfGzip(stream, name));
        try {
            int magic = readHeaderInt(in, name, "magic number");
            if (magic != IMAGES_MAGIC) {
                throw new IllegalArgumentException(name + ": not an IDX image file (magic number "
                        + hex(magic) + ", expected " + hex(IMAGES_MAGIC) + (magic == LABELS_MAGIC
                        ? "; this is a label file" : "") + ")");
            }
            int count = dimension(in, name, "image count");
            int rows = dimension(in, name, "rows");
            int columns = dimension(in, name, "columns");
            long size = (long) count * rows * columns;
            if (size > MAX_DATA_BYTES) {
                throw new IllegalArgumentException(name + ": header announces " + count + " images of " + rows + " x "
                        + columns + " pixels (" + size + " bytes), more than the " + MAX_DATA_BYTES + " accepted");
            }
            byte[] pixels = readData(in, name, (int) size, count + " images of " + rows + " x " + columns);
            return new Images(count, rows, columns, pixels);
        } catch (ZipException | EOFException e) {
            throw corrupt(name, e);
        }
    }

    /**
     * Reads a label file: one unsigned byte per example.
     *
     * @return the labels as integers 0..255
     * @throws NoSuchFileException      if the file does not exist
     * @throws IOException              if it cannot be read
     * @throws IllegalArgumentException if it is not a well-formed IDX label file
     */
    public static int[] readLabels(Path file) throws IOException {
        Checks.notNull("file", file);
        try (InputStream in = open(file)) {
            return readLabels(in, file.toString());
        }
    }

    /** Reads a label file from a stream (plain or gzip), which is read to its end but not closed. */
    public static int[] readLabels(InputStream stream, String name) throws IOException {
        DataInputStream in = new DataInputStream(decompressIfGzip(stream, name));
        try {
            int magic = readHeaderInt(in, name, "magic number");
            if (magic != LABELS_MAGIC) {
                throw new IllegalArgumentException(name + ": not an IDX label file (magic number "
                        + hex(magic) + ", expected " + hex(LABELS_MAGIC) + (magic == IMAGES_MAGIC
                        ? "; this is an image file" : "") + ")");
            }
            int count = dimension(in, name, "label count");
            if (count > MAX_DATA_BYTES) {
                throw new IllegalArgumentException(name + ": header announces " + count + " labels, more than the "
                        + MAX_DATA_BYTES + " accepted");
            }
            byte[] data = readData(in, name, count, count + " labels");
            int[] labels = new int[count];
            for (int i = 0; i < count; i++) {
                labels[i] = data[i] & 0xFF;
            }
            return labels;
        } catch (ZipException | EOFException e) {
            throw corrupt(name, e);
        }
    }

    private static InputStream open(Path file) throws IOException {
        return new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    }

    private static InputStream decompressIfGzip(InputStream stream, String name) throws IOException {
        Checks.notNull("stream", stream);
        InputStream in = stream.markSupported() ? stream : new BufferedInputStream(stream);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            try {
                return new GZIPInputStream(in, 1 << 16);
            } catch (ZipException | EOFException e) {
                throw corrupt(name, e);
            }
        }
        return in;
    }

    private static int readHeaderInt(DataInputStream in, String name, String what) throws IOException {
        try {
            return in.readInt();
        } catch (EOFException e) {
            throw new IllegalArgumentException(name + ": truncated IDX header (end of file while reading the "
                    + what + ")", e);
        }
    }

    private static int dimension(DataInputStream in, String name, String what) throws IOException {
        int value = readHeaderInt(in, name, what);
        if (value <= 0) {
            throw new IllegalArgumentException(name + ": IDX header has " + what + " " + Integer.toUnsignedString(value)
                    + ", expected a positive number below 2^31");
        }
        return value;
    }

    private static byte[] readData(DataInputStream in, String name, int size, String what) throws IOException {
        byte[] data = new byte[size];
        int read = 0;
        while (read < size) {
            int n = in.read(data, read, size - read);
            if (n < 0) {
                throw new IllegalArgumentException(name + ": truncated: the header announces " + what + " (" + size
                        + " bytes of data) but the file ends after " + read);
            }
            read += n;
        }
        long extra = 0;
        byte[] buffer = new byte[8192];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            extra += n;
        }
        if (extra > 0) {
            throw new IllegalArgumentException(name + ": " + extra + " unexpected bytes after the " + size
                    + " bytes of data announced by the header (" + what + ")");
        }
        return data;
    }

    private static IllegalArgumentException corrupt(String name, IOException e) {
        return new IllegalArgumentException(name + ": corrupt or truncated gzip data (" + e.getMessage() + ")", e);
    }

    private static String hex(int value) {
        return String.format("0x%08X", value);
    }
}
