package io.github.dpsgd4j.examples.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Fashion-MNIST loader on small synthetic files with the real names and format. */
class FashionMnistTest {

    @TempDir
    Path dir;

    @Test
    void load_readsBothSetsAndScalesPixelsBy255() throws IOException {
        IdxFiles.writeFashionLike(dir, 12, 5);
        assertTrue(FashionMnist.isInstalled(dir));
        TrainTestSplit split = FashionMnist.load(dir);
        assertEquals(12, split.train().size());
        assertEquals(5, split.test().size());
        assertEquals(28, split.train().height());
        assertEquals(10, split.train().classes());
        for (int i = 0; i < 12; i++) {
            int label = i % 10;
            assertEquals(label, split.train().label(i));
            assertEquals(((7 * i + label) % 256) / 255f, split.train().pixel(i, 0, 0), 0f);
            assertEquals(1f, split.train().pixel(i, 13, 2 * label + 4), 0f);
        }
        DataSet data = split.test().toDataSet();
        assertEquals(5, data.getFeatures().size(0));
        assertEquals(784, data.getFeatures().size(1));
        assertEquals(1.0, data.getLabels().getDouble(3, 3), 0);
        assertEquals(5.0, data.getLabels().sumNumber().doubleValue(), 0);
    }

    @Test
    void load_acceptsUncompressedFiles() throws IOException {
        IdxFiles.writeFashionLike(dir, 3, 2);
        for (String name : FashionMnist.FILES) {
            Path gz = dir.resolve(name);
            try (java.io.InputStream in = new java.util.zip.GZIPInputStream(Files.newInputStream(gz))) {
                Files.write(dir.resolve(name.replace(".gz", "")), in.readAllBytes());
            }
            Files.delete(gz);
        }
        assertEquals(3, FashionMnist.load(dir).train().size());
    }

    @Test
    void load_missingFiles_sayHowToInstallThem() {
        assertFalse(FashionMnist.isInstalled(dir));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FashionMnist.load(dir));
        assertTrue(e.getMessage().contains("sudo apt-get install dataset-fashion-mnist"), e.getMessage());
        assertTrue(e.getMessage().contains("--data DIR"), e.getMessage());
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
                + "t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void load_rejectsMismatchedCountsWrongSizesAndLabelsOutOfRange() throws IOException {
        IdxFiles.writeFashionLike(dir, 4, 2);
        Files.write(dir.resolve(FashionMnist.TRAIN_LABELS), IdxFiles.gzip(IdxFiles.labels(new int[] {1, 2, 3})));
        IllegalArgumentException counts = assertThrows(IllegalArgumentException.class, () -> FashionMnist.load(dir));
        assertTrue(counts.getMessage().contains("4 images but 3 labels"), counts.getMessage());

        Files.write(dir.resolve(FashionMnist.TRAIN_LABELS), IdxFiles.gzip(IdxFiles.labels(new int[] {1, 2, 10, 3})));
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class, () -> FashionMnist.load(dir));
        assertTrue(range.getMessage().contains("label 10 of example 2 is not a class in [0, 10)"), range.getMessage());

        Files.write(dir.resolve(FashionMnist.TRAIN_IMAGES), IdxFiles.gzip(IdxFiles.images(1, 8, 8, new byte[64])));
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class, () -> FashionMnist.load(dir));
        assertTrue(size.getMessage().contains("Fashion-MNIST images are 28 x 28 pixels, this file has 8 x 8"),
                size.getMessage());
    }

    @Test
    void defaultDirectory_isWhereTheDebianPackageInstalls() {
        assertEquals(Path.of("/usr/share/datasets/fashion-mnist"), FashionMnist.DEFAULT_DIRECTORY);
        assertEquals(10, FashionMnist.CLASS_NAMES.size());
    }
}
