package io.github.dpsgd4j.examples.finetune;

import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.core.sampling.ShuffledBatchSampler;

import java.util.Arrays;

/**
 * A partition of the indices {@code 0 .. n-1} of a training file into a public pretraining part,
 * a public validation part and the private part. The partition depends only on {@code n}, the
 * part sizes and a published seed, never on the examples' content or labels, so choosing it
 * reveals nothing about the private examples; the private part is everything else.
 *
 * <p>The order is one seeded permutation of {@code 0 .. n-1} (dp-core's Fisher-Yates shuffle,
 * {@link ShuffledBatchSampler}, driven by {@link NoiseSource#seeded(long)}: reproducible, and not
 * privacy randomness); the first {@code publicCount} indices are the pretraining part, the next
 * {@code validationCount} the validation part. Each part is returned sorted.
 *
 * @param pretraining public examples for non-private pretraining
 * @param validation  public examples for choosing settings and watching progress (never trained on)
 * @param privatePart the private examples, trained on only with DP-SGD
 */
public record PublicPrivateSplit(int[] pretraining, int[] validation, int[] privatePart) {

    public PublicPrivateSplit {
        Checks.notNull("pretraining", pretraining);
        Checks.notNull("validation", validation);
        Checks.notNull("privatePart", privatePart);
        pretraining = pretraining.clone();
        validation = validation.clone();
        privatePart = privatePart.clone();
    }

    /**
     * Splits {@code 0 .. n-1}.
     *
     * @param n               examples in the training file, {@code >= 1}
     * @param publicCount     pretraining examples, {@code >= 1}
     * @param validationCount public validation examples, {@code >= 1}
     * @param seed            the published seed of the permutation
     * @throws IllegalArgumentException if fewer than one private example would remain
     */
    public static PublicPrivateSplit of(int n, int publicCount, int validationCount, long seed) {
        Checks.positive("n", n);
        Checks.positive("publicCount", publicCount);
        Checks.positive("validationCount", validationCount);
        if ((long) publicCount + validationCount >= n) {
            throw new IllegalArgumentException("publicCount + validationCount must be < the training set size " + n
                    + " so that private examples remain, got " + publicCount + " + " + validationCount);
        }
        int[] order = new ShuffledBatchSampler(1.0, NoiseSource.seeded(seed)).epoch(n, 1).get(0);
        int[] pretraining = Arrays.copyOfRange(order, 0, publicCount);
        int[] validation = Arrays.copyOfRange(order, publicCount, publicCount + validationCount);
        int[] privatePart = Arrays.copyOfRange(order, publicCount + validationCount, n);
        Arrays.sort(pretraining);
        Arrays.sort(validation);
        Arrays.sort(privatePart);
        return new PublicPrivateSplit(pretraining, validation, privatePart);
    }

    /** Pretraining indices, sorted: a copy. */
    @Override
    public int[] pretraining() {
        return pretraining.clone();
    }

    /** Validation indices, sorted: a copy. */
    @Override
    public int[] validation() {
        return validation.clone();
    }

    /** Private indices, sorted: a copy. */
    @Override
    public int[] privatePart() {
        return privatePart.clone();
    }

    /** Public examples: pretraining plus validation. */
    public int publicCount() {
        return pretraining.length + validation.length;
    }
}
