package io.github.dpsgd4j.examples.features;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeatureCacheTest {

    @TempDir
    Path dir;

    private static float[] data(int n) {
        float[] d = new float[n];
        for (int i = 0; i < n; i++) {
            d[i] = (float) Math.sin(i) * i;
        }
        return d;
    }

    @Test
    void writeThenRead_returnsTheSameFloatsAndLeavesNoTemporaryFile() throws IOException {
        FeatureCache cache = new FeatureCache(dir.resolve("cache"));
        float[] d = data(3 * 1_500_000); // more than one I/O chunk
        String key = FeatureCache.key("test", d);
        cache.write(key, d, 3, 1_500_000);
        assertArrayEquals(d, cache.read(key, 3, 1_500_000).orElseThrow());
        try (var files = Files.list(dir.resolve("cache"))) {
            assertEquals(1, files.count());
        }
    }

    @Test
    void read_ignoresMissingWrongShapeTruncatedAndCorruptEntries() throws IOException {
        FeatureCache cache = new FeatureCache(dir);
        float[] d = data(1000);
        String key = FeatureCache.key("test", d);
        assertEquals(Optional.empty(), cache.read(key, 10, 100));
        cache.write(key, d, 10, 100);
        assertEquals(Optional.empty(), cache.read(key, 100, 10), "other shape");
        try (RandomAccessFile file = new RandomAccessFile(cache.file(key).toFile(), "rw")) {
            file.seek(500);
            int b = file.read();
            file.seek(500);
            file.write(b ^ 1);
        }
        assertEquals(Optional.empty(), cache.read(key, 10, 100), "a flipped bit fails the checksum");
        cache.write(key, d, 10, 100);
        assertTrue(cache.read(key, 10, 100).isPresent(), "rewriting repairs it");
        try (RandomAccessFile file = new RandomAccessFile(cache.file(key).toFile(), "rw")) {
            file.setLength(file.length() - 3);
        }
        assertEquals(Optional.empty(), cache.read(key, 10, 100), "truncated");
    }

    @Test
    void key_dependsOnDescriptionAndEveryValue() {
        float[] d = data(100);
        String key = FeatureCache.key("a", d);
        assertEquals(64, key.length());
        assertEquals(key, FeatureCache.key("a", d.clone()));
        assertNotEquals(key, FeatureCache.key("b", d));
        float[] e = d.clone();
        e[99] = Math.nextUp(e[99]);
        assertNotEquals(key, FeatureCache.key("a", e));
        assertThrows(IllegalArgumentException.class, () -> new FeatureCache(dir).file("../escape"));
    }
}
