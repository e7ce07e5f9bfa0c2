package io.github.dpsgd4j.common;

import java.util.random.RandomGenerator;

/**
 * The one Fisher-Yates shuffle of dpsgd4j (Durstenfeld's in-place form; Knuth, TAOCP vol. 2,
 * Algorithm 3.4.2P): every permutation is equally likely when the generator's bounded
 * {@link RandomGenerator#nextInt(int)} is unbiased, as the JDK's generators and its default method are.
 *
 * <p>The generator is the caller's choice: a secure one where the order is private (sampling), a
 * seeded one ({@link java.util.Random}, {@link java.util.SplittableRandom}) where it must be
 * reproducible. For the same seeded generator the order is the same as the textbook loop
 * {@code for i = n-1 .. 1: swap(a[i], a[nextInt(i + 1)])} gives.
 *
 * <p>Thread-safe when the generator is; the array is not guarded.
 */
public final class Shuffles {

    private Shuffles() {
    }

    /**
     * Shuffles {@code values} in place. Consumes {@code values.length - 1} bounded draws.
     *
     * @param values the array to permute, not null. Modified.
     * @param random the random source, not null
     * @return {@code values}
     */
    public static int[] shuffle(int[] values, RandomGenerator random) {
        Checks.notNull("values", values);
        Checks.notNull("random", random);
        for (int i = values.length - 1; i > 0; i--) {
            swap(values, i, random.nextInt(i + 1));
        }
        return values;
    }

    /**
     * A uniformly random permutation of {@code 0 .. n - 1}.
     *
     * @param n      the number of elements, {@code >= 0}
     * @param random the random source, not null
     */
    public static int[] permutation(int n, RandomGenerator random) {
        Checks.nonNegative("n", n);
        return shuffle(identity(n), random);
    }

    /**
     * Shuffles {@code values} in place, with the same draws (and so the same permutation) as
     * {@link #shuffle(int[], RandomGenerator)} on an array of the same length.
     *
     * @param values the array to permute, not null. Modified.
     * @param random the random source, not null
     * @return {@code values}
     */
    public static double[] shuffle(double[] values, RandomGenerator random) {
        Checks.notNull("values", values);
        Checks.notNull("random", random);
        for (int i = values.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            double t = values[i];
            values[i] = values[j];
            values[j] = t;
        }
        return values;
    }

    private static int[] identity(int n) {
        int[] values = new int[n];
        for (int i = 0; i < n; i++) {
            values[i] = i;
        }
        return values;
    }

    private static void swap(int[] values, int i, int j) {
        int t = values[i];
        values[i] = values[j];
        values[j] = t;
    }
}
