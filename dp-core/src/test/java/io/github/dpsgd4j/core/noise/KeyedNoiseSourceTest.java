package io.github.dpsgd4j.core.noise;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyedNoiseSourceTest {

    private static byte[] key(int first) {
        byte[] key = new byte[32];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) (first + 7 * i);
        }
        return key;
    }

    private static long[] words(NoiseSource source, int n) {
        long[] out = new long[n];
        source.nextLongs(out, 0, n);
        return out;
    }

    @Test
    void keyed_sameKey_givesTheSameStream_andIsSecure() {
        NoiseSource a = NoiseSource.keyed(key(1));
        NoiseSource b = NoiseSource.keyed(key(1));
        assertTrue(a.isSecure());
        assertArrayEquals(words(a, 100), words(b, 100));
        assertEquals(a.nextGaussian(), b.nextGaussian());
    }

    @Test
    void keyed_differentKeys_giveDifferentStreams() {
        assertFalse(Arrays.equals(words(NoiseSource.keyed(key(1)), 8), words(NoiseSource.keyed(key(2)), 8)));
    }

    @Test
    void keyed_doesNotKeepOrModifyTheCallersArray() {
        byte[] material = key(3);
        byte[] copy = material.clone();
        NoiseSource source = NoiseSource.keyed(material);
        long[] first = words(source, 4);
        assertArrayEquals(copy, material);
        Arrays.fill(material, (byte) 0);
        assertArrayEquals(first, words(NoiseSource.keyed(copy), 4));
    }

    @Test
    void keyed_rejectsWrongLengthAndNull() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NoiseSource.keyed(new byte[16]));
        assertTrue(e.getMessage().contains("keyMaterial") && e.getMessage().contains("16"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NoiseSource.keyed(null));
    }
}
