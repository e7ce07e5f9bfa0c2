package io.github.dpsgd4j.examples.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** IDX parsing of small files written by the test, and rejection of malformed ones. */
class IdxFormatTest {

    @TempDir
    Path dir;

    private static byte[] pixels(int n) {
        byte[] p = new byte[n];
        for (int i = 0; i < n; i++) {
            p[i] = (byte) (i * 37);
        }
        return p;
    }

    private IllegalArgumentException rejectImages(byte[] content) throws IOException {
        Path file = dir.resolve("bad-images");
        Files.write(file, content);
        return assertThrows(IllegalArgumentException.class, () -> IdxFormat.readImages(file));
    }

    @Test
    void readImages_gzipAndPlain_giveTheSameBigEndianHeaderAndUnsignedPixels() throws IOException {
        byte[] pixels = pixels(2 * 3 * 4);
        byte[] plain = IdxFiles.images(2, 3, 4, pixels);
        Files.write(dir.resolve("plain"), plain);
        Files.write(dir.resolve("compressed.gz"), IdxFiles.gzip(plain));
        for (String name : new String[] {"plain", "compressed.gz"}) {
            IdxFormat.Images images = IdxFormat.readImages(dir.resolve(name));
            assertEquals(2, images.count());
            assertEquals(3, images.rows());
            assertEquals(4, images.columns());
            assertArrayEquals(pixels, images.pixels());
            // image 1, row 2, column 3 is byte 23: (23 * 37) mod 256 = 83; unsigned
            assertEquals((23 * 37) % 256, images.pixel(1, 2, 3));
            assertEquals(pixels[5] & 0xFF, images.pixel(0, 1, 1));
        }
    }

    @Test
    void readLabels_returnsUnsignedLabels() throws IOException {
        Files.write(dir.resolve("labels.gz"), IdxFiles.gzip(IdxFiles.labels(new int[] {0, 9, 255, 3})));
        assertArrayEquals(new int[] {0, 9, 255, 3}, IdxFormat.readLabels(dir.resolve("labels.gz")));
        assertArrayEquals(new int[] {1}, IdxFormat.readLabels(new ByteArrayInputStream(IdxFiles.labels(new int[] {1})),
                "stream"));
    }

    @Test
    void readImages_rejectsLabelFileAndOtherMagicNumbers() throws IOException {
        IllegalArgumentException labels = rejectImages(IdxFiles.labels(new int[] {1, 2}));
        assertTrue(labels.getMessage().contains("not an IDX image file (magic number 0x00000801, expected 0x00000803; "
                + "this is a label file)"), labels.getMessage());
        byte[] floats = IdxFiles.images(1, 2, 2, pixels(4));
        floats[2] = 0x0D; // type 0x0D: 32-bit floats
        IllegalArgumentException e = rejectImages(floats);
        assertTrue(e.getMessage().contains("magic number 0x00000D03"), e.getMessage());
        Path labelsOk = dir.resolve("images-as-labels");
        Files.write(labelsOk, IdxFiles.images(1, 2, 2, pixels(4)));
        IllegalArgumentException swapped = assertThrows(IllegalArgumentException.class,
                () -> IdxFormat.readLabels(labelsOk));
        assertTrue(swapped.getMessage().contains("this is an image file"), swapped.getMessage());
    }

    @Test
    void readImages_rejectsTruncatedHeaderAndData() throws IOException {
        byte[] full = IdxFiles.images(2, 3, 4, pixels(24));
        IllegalArgumentException header = rejectImages(Arrays.copyOf(full, 10));
        assertTrue(header.getMessage().contains("truncated IDX header"), header.getMessage());
        IllegalArgumentException data = rejectImages(Arrays.copyOf(full, full.length - 5));
        assertTrue(data.getMessage().contains("truncated: the header announces 2 images of 3 x 4 (24 bytes of data) "
                + "but the file ends after 19"), data.getMessage());
        IllegalArgumentException gzipped = rejectImages(IdxFiles.gzip(Arrays.copyOf(full, full.length - 1)));
        assertTrue(gzipped.getMessage().contains("ends after 23"), gzipped.getMessage());
        IllegalArgumentException empty = rejectImages(new byte[0]);
        assertTrue(empty.getMessage().contains("truncated IDX header"), empty.getMessage());
    }

    @Test
    void readImages_rejectsTrailingBytes() throws IOException {
        byte[] full = IdxFiles.images(1, 2, 2, pixels(4));
        IllegalArgumentException e = rejectImages(Arrays.copyOf(full, full.length + 3));
        assertTrue(e.getMessage().contains("3 unexpected bytes after the 4 bytes of data"), e.getMessage());
    }

    @Test
    void readImages_rejectsCorruptOrCutGzip() throws IOException {
        byte[] compressed = IdxFiles.gzip(IdxFiles.images(4, 8, 8, pixels(256)));
        IllegalArgumentException cut = rejectImages(Arrays.copyOf(compressed, compressed.length / 2));
        assertTrue(cut.getMessage().contains("corrupt or truncated gzip data"), cut.getMessage());
        byte[] garbled = compressed.clone();
        for (int i = 12; i < garbled.length - 8; i++) {
            garbled[i] = (byte) (garbled[i] ^ 0x5A);
        }
        IllegalArgumentException corrupt = rejectImages(garbled);
        assertTrue(corrupt.getMessage().contains("bad-images"), corrupt.getMessage());
    }

    @Test
    void readImages_rejectsZeroAndNegativeDimensionsAndHugeHeaders() throws IOException {
        IllegalArgumentException zero = rejectImages(IdxFiles.images(0, 28, 28, new byte[0]));
        assertTrue(zero.getMessage().contains("image count 0, expected a positive number"), zero.getMessage());
        byte[] negative = IdxFiles.images(1, 2, 2, pixels(4));
        negative[8] = (byte) 0xFF; // rows = 0xFF000002
        IllegalArgumentException n = rejectImages(negative);
        assertTrue(n.getMessage().contains("rows " + Integer.toUnsignedString(0xFF000002)), n.getMessage());
        IllegalArgumentException huge = rejectImages(IdxFiles.images(100_000, 200, 200, new byte[0]));
        assertTrue(huge.getMessage().contains("more than the"), huge.getMessage());
    }

    @Test
    void readImages_missingFile_isNoSuchFile() {
        assertThrows(NoSuchFileException.class, () -> IdxFormat.readImages(dir.resolve("absent.gz")));
    }
}
