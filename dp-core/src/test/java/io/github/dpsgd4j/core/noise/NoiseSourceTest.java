package io.github.dpsgd4j.core.noise;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NoiseSourceTest {

    @Test
    void secure_isSecureAndSaysSo() {
        NoiseSource source = NoiseSource.secure();
        assertTrue(source.isSecure());
        assertEquals(NoiseHardening.NONE, source.hardening());
        assertTrue(source.toString().contains("secure"));
        assertFalse(source.toString().contains("not secure"));
    }

    @Test
    void seeded_isNotSecureAndToStringHidesTheSeed() {
        long seed = 123456789987654321L;
        NoiseSource source = NoiseSource.seeded(seed);
        assertFalse(source.isSecure());
        String text = source.toString();
        assertTrue(text.contains("seeded (not secure)"), text);
        assertFalse(text.contains(Long.toString(seed)), text);
        assertFalse(text.contains(Long.toHexString(seed)), text);
    }

    @Test
    void seeded_sameSeedGivesSameStreamAndOtherSeedDiffers() {
        double[] a = new double[5000];
        double[] b = new double[5000];
        double[] c = new double[5000];
        NoiseSource.seeded(42).fillGaussian(a, 0, a.length, 1);
        NoiseSource.seeded(42).fillGaussian(b, 0, b.length, 1);
        NoiseSource.seeded(43).fillGaussian(c, 0, c.length, 1);
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c));
        assertEquals(NoiseSource.seeded(42).nextLong(), NoiseSource.seeded(42).nextLong());
    }

    @Test
    void secure_twoInstancesDiffer() {
        assertNotEquals(NoiseSource.secure().nextLong(), NoiseSource.secure().nextLong());
        double[] a = new double[64];
        double[] b = new double[64];
        NoiseSource.secure().fillGaussian(a, 0, 64, 1);
        NoiseSource.secure().fillGaussian(b, 0, 64, 1);
        assertFalse(Arrays.equals(a, b));
    }

    @Test
    void fill_isAStreamIndependentOfChunking() {
        float[] whole = new float[3000];
        NoiseSource.seeded(5).fillGaussian(whole, 0, whole.length, 2.5);
        float[] parts = new float[3000];
        NoiseSource source = NoiseSource.seeded(5);
        source.fillGaussian(parts, 0, 10, 2.5);
        source.fillGaussian(parts, 10, 1100, 2.5);
        for (int i = 1110; i < 3000; i++) {
            parts[i] = (float) (source.nextGaussian() * 2.5);
        }
        assertArrayEquals(whole, parts);
    }

    @Test
    void fillFloat_isTheDoubleDrawScaledAndRounded() {
        double[] d = new double[2000];
        float[] f = new float[2000];
        NoiseSource.seeded(9).fillGaussian(d, 0, d.length, 0.37);
        NoiseSource.seeded(9).fillGaussian(f, 0, f.length, 0.37);
        for (int i = 0; i < d.length; i++) {
            assertEquals((float) d[i], f[i]);
        }
    }

    @Test
    void fill_writesOnlyTheGivenRange() {
        float[] f = new float[100];
        Arrays.fill(f, Float.NaN);
        NoiseSource.seeded(1).fillGaussian(f, 17, 50, 1);
        for (int i = 0; i < 100; i++) {
            assertEquals(i < 17 || i >= 67, Float.isNaN(f[i]), "index " + i);
        }
        double[] d = new double[100];
        Arrays.fill(d, Double.NaN);
        NoiseSource.seeded(1).fillGaussian(d, 99, 1, 1);
        for (int i = 0; i < 99; i++) {
            assertTrue(Double.isNaN(d[i]));
        }
        assertFalse(Double.isNaN(d[99]));
    }

    @Test
    void fill_zeroStandardDeviationWritesZerosAndConsumesNothing() {
        NoiseSource a = NoiseSource.seeded(3);
        NoiseSource b = NoiseSource.seeded(3);
        float[] f = new float[10];
        Arrays.fill(f, 7f);
        a.fillGaussian(f, 2, 5, 0.0);
        assertArrayEquals(new float[] {7, 7, 0, 0, 0, 0, 0, 7, 7, 7}, f);
        assertEquals(b.nextGaussian(), a.nextGaussian());
    }

    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -1.0, -Double.MIN_VALUE})
    void fill_rejectsInvalidStandardDeviationNamingIt(double sd) {
        NoiseSource source = NoiseSource.seeded(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> source.fillGaussian(new float[4], 0, 4, sd));
        assertTrue(e.getMessage().startsWith("standardDeviation must be finite and >= 0, got "), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> source.fillGaussian(new double[4], 0, 4, sd));
    }

    @Test
    void fill_rejectsNullAndBadRanges() {
        NoiseSource source = NoiseSource.seeded(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> source.fillGaussian((float[]) null, 0, 0, 1));
        assertEquals("out must not be null", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> source.fillGaussian(new float[4], 2, 3, 1));
        assertTrue(e.getMessage().contains("got offset 2 and length 3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> source.fillGaussian(new float[4], -1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> source.fillGaussian(new double[4], 0, -1, 1));
        assertThrows(IllegalArgumentException.class,
                () -> source.fillGaussian(new double[4], Integer.MAX_VALUE, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> source.nextLongs(new long[2], 1, 2));
        assertThrows(IllegalArgumentException.class, () -> NoiseSource.secure(null));
        assertThrows(IllegalArgumentException.class, () -> NoiseSource.seeded(1, null));
    }

    @Test
    void nextDouble_isInUnitIntervalWith53Bits() {
        NoiseSource a = NoiseSource.seeded(77);
        NoiseSource b = NoiseSource.seeded(77);
        for (int i = 0; i < 10_000; i++) {
            double u = a.nextDouble();
            assertTrue(u >= 0 && u < 1);
            assertEquals((b.nextLong() >>> 11) * 0x1.0p-53, u);
        }
    }

    @Test
    void nextLongs_equalsRepeatedNextLong() {
        long[] bulk = new long[1000];
        NoiseSource.seeded(13).nextLongs(bulk, 0, bulk.length);
        NoiseSource single = NoiseSource.seeded(13);
        for (long v : bulk) {
            assertEquals(single.nextLong(), v);
        }
    }

    @Test
    void split_seededIsReproducibleAndIndependentOfParent() {
        NoiseSource a = NoiseSource.seeded(21).split();
        NoiseSource b = NoiseSource.seeded(21).split();
        assertFalse(a.isSecure());
        double[] x = new double[100];
        double[] y = new double[100];
        a.fillGaussian(x, 0, 100, 1);
        b.fillGaussian(y, 0, 100, 1);
        assertArrayEquals(x, y);
        double[] parent = new double[100];
        NoiseSource.seeded(21).fillGaussian(parent, 0, 100, 1);
        assertFalse(Arrays.equals(parent, x));
    }

    @Test
    void split_secureStaysSecureWithItsHardening() {
        NoiseSource child = NoiseSource.secure(NoiseHardening.SUM_OF_FOUR).split();
        assertTrue(child.isSecure());
        assertEquals(NoiseHardening.SUM_OF_FOUR, child.hardening());
    }

    @Test
    void sumOfFour_isHalfTheSumOfFourDrawsAfterOneDiscardedDrawPerCall() {
        NoiseSource plain = NoiseSource.seeded(31);
        double[] base = new double[1 + 4 * 3000];
        plain.fillGaussian(base, 0, base.length, 1);
        double[] hardened = new double[3000];
        NoiseSource.seeded(31, NoiseHardening.SUM_OF_FOUR).fillGaussian(hardened, 0, hardened.length, 2.0);
        for (int k = 0; k < hardened.length; k++) {
            int p = 1 + 4 * k;
            double expected = ((base[p] + base[p + 1]) + (base[p + 2] + base[p + 3])) * 0.5 * 2.0;
            assertEquals(expected, hardened[k], 1e-15 * Math.max(1, Math.abs(expected)), "k = " + k);
        }
        NoiseSource h = NoiseSource.seeded(31, NoiseHardening.SUM_OF_FOUR);
        double first = h.nextGaussian();
        double second = h.nextGaussian();
        assertEquals(((base[1] + base[2]) + (base[3] + base[4])) * 0.5, first, 1e-15);
        assertEquals(((base[6] + base[7]) + (base[8] + base[9])) * 0.5, second, 1e-15);
    }

    @Test
    void transforms_vectorAndScalarAgreeWithinFewUlps() {
        GaussianTransform best = GaussianTransform.best();
        GaussianTransform scalar = new ScalarGaussianTransform();
        byte[] keystream = new byte[64 * GaussianTransform.BYTES_PER_BLOCK];
        long[] words = new long[keystream.length / 8];
        NoiseSource.seeded(4).nextLongs(words, 0, words.length);
        for (int i = 0; i < words.length; i++) {
            for (int b = 0; b < 8; b++) {
                keystream[8 * i + b] = (byte) (words[i] >>> (8 * b));
            }
        }
        double[] x = new double[64 * 16];
        double[] y = new double[64 * 16];
        best.transform(keystream, 0, x, 0, 64);
        scalar.transform(keystream, 0, y, 0, 64);
        for (int i = 0; i < x.length; i++) {
            assertEquals(y[i], x[i], 4 * Math.ulp(Math.max(1.0, Math.abs(y[i]))), "index " + i);
        }
    }

    @Test
    void transform_extremeWordsGiveFiniteRadiusUpTo8Point57() {
        byte[] keystream = new byte[GaussianTransform.BYTES_PER_BLOCK];
        // x = 0 gives u1 = 2^-53, the largest radius; y = 0 gives theta = 0 (cos = 1).
        double[] out = new double[16];
        new ScalarGaussianTransform().transform(keystream, 0, out, 0, 1);
        assertEquals(Math.sqrt(106 * Math.log(2)), out[0], 1e-12);
        assertEquals(0.0, out[8], 1e-12);
        GaussianTransform.best().transform(keystream, 0, out, 0, 1);
        assertEquals(Math.sqrt(106 * Math.log(2)), out[0], 1e-12);
        Arrays.fill(keystream, (byte) -1);
        new ScalarGaussianTransform().transform(keystream, 0, out, 0, 1);
        for (double v : out) {
            assertTrue(Double.isFinite(v) && Math.abs(v) < 1e-7);
        }
    }

    @ParameterizedTest
    @EnumSource(NoiseHardening.class)
    void concurrentUse_neverHandsTheSameDrawsToTwoThreads(NoiseHardening hardening) throws Exception {
        NoiseSource source = NoiseSource.secure(hardening);
        Set<Long> seen = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(pool.submit(() -> {
                    boolean unique = true;
                    double[] chunk = new double[257];
                    for (int r = 0; r < 200; r++) {
                        source.fillGaussian(chunk, 0, chunk.length, 1);
                        for (double v : chunk) {
                            unique &= seen.add(Double.doubleToLongBits(v));
                        }
                    }
                    return unique;
                }));
            }
            for (Future<Boolean> f : results) {
                assertTrue(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void rekey_secureSourceTakesAFreshKeyAfterTheInterval() {
        AesCtrNoiseSource source = AesCtrNoiseSource.secure(NoiseHardening.NONE);
        long[] words = new long[1 << 20];
        long produced = 0;
        long previous = 0;
        boolean reset = false;
        while (produced <= AesCtrNoiseSource.REKEY_BYTES + (1L << 24)) {
            source.nextLongs(words, 0, words.length);
            produced += 8L * words.length;
            long now = source.keystreamBytesSinceKey();
            reset |= now < previous;
            previous = now;
        }
        assertTrue(reset);
        assertTrue(source.keystreamBytesSinceKey() < AesCtrNoiseSource.REKEY_BYTES);
    }

    @Test
    void rekey_seededSourceNeverRekeys() {
        AesCtrNoiseSource source = AesCtrNoiseSource.seeded(1, NoiseHardening.NONE);
        long[] words = new long[1 << 16];
        source.nextLongs(words, 0, words.length);
        assertEquals(8L * words.length, source.keystreamBytesSinceKey());
    }
}
