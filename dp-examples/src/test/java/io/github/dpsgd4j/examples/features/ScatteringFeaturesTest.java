package io.github.dpsgd4j.examples.features;

import io.github.dpsgd4j.examples.data.LabeledImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ScatteringFeaturesTest {

    @TempDir
    Path dir;

    private static LabeledImages randomImages(int count, long seed) {
        Random random = new Random(seed);
        float[] pixels = new float[count * 64];
        int[] labels = new int[count];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = random.nextFloat();
        }
        for (int i = 0; i < count; i++) {
            labels[i] = i % 10;
        }
        return LabeledImages.of(8, 8, 10, pixels, labels);
    }

    private static long files(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return 0;
        }
        try (var list = Files.list(directory)) {
            return list.count();
        }
    }

    @Test
    void compute_isTheGroupNormalisedScatteringTransformOfEachImage() {
        ScatteringFeatures features = new ScatteringFeatures(8, 8);
        assertEquals(81 * 2 * 2, features.length());
        LabeledImages images = randomImages(3, 1);
        float[] f = features.compute(images, Optional.empty(), 1, null);
        float[] expected = new float[3 * features.length()];
        for (int i = 0; i < 3; i++) {
            float[] one = features.transform().transform(java.util.Arrays.copyOfRange(images.pixels(), i * 64,
                    (i + 1) * 64));
            System.arraycopy(one, 0, expected, i * one.length, one.length);
        }
        GroupNormalization.normalize(expected, 3, 81, 4, 27);
        assertArrayEquals(expected, f, 0f);
    }

    @Test
    void largeSets_areCachedAndReadBackIdentically() throws IOException {
        ScatteringFeatures features = new ScatteringFeatures(8, 8);
        Path cacheDir = dir.resolve("cache");
        FeatureCache cache = new FeatureCache(cacheDir);
        LabeledImages small = randomImages(10, 2);
        features.compute(small, Optional.of(cache), 2, null);
        assertEquals(0, files(cacheDir), "small sets are not cached");

        LabeledImages large = randomImages(ScatteringFeatures.MIN_CACHED_IMAGES, 3);
        AtomicInteger progress = new AtomicInteger();
        float[] first = features.compute(large, Optional.of(cache), 2, progress::addAndGet);
        assertEquals(large.size(), progress.get());
        assertEquals(1, files(cacheDir));
        progress.set(0);
        float[] second = features.compute(large, Optional.of(cache), 2, progress::addAndGet);
        assertEquals(large.size(), progress.get());
        assertArrayEquals(first, second, 0f);
    }

    @Test
    void compute_rejectsImagesOfAnotherSize() {
        ScatteringFeatures features = new ScatteringFeatures(28, 28);
        assertThrows(IllegalArgumentException.class,
                () -> features.compute(randomImages(1, 4), Optional.empty(), 1, null));
        assertThrows(IllegalArgumentException.class,
                () -> new ScatteringFeatures(ScatteringTransform.fashionMnist(), 4));
    }
}
