package io.github.dpsgd4j.core.sampling;

import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.common.Shuffles;
import io.github.dpsgd4j.core.noise.NoiseSource;

import java.util.ArrayList;
import java.util.List;

/**
 * Fixed-size batches from a shuffled order: once per epoch the population is shuffled
 * ({@link Shuffles Fisher-Yates} with unbiased bounded indices drawn from the {@link NoiseSource}'s 64-bit words) and cut into consecutive
 * batches of {@code max(1, round(q N))} examples, wrapping around when an epoch needs more.
 *
 * <p><b>Not what the accountants assume.</b> The privacy analysis of DP-SGD assumes
 * {@link PoissonSampler Poisson sampling}; an epsilon reported for shuffled batches is an
 * approximation, not a proven bound. This sampler exists for comparisons with non-private
 * training and with other libraries.
 *
 * <p>Thread-safe when the source is; each call draws fresh random words.
 */
public final class ShuffledBatchSampler {

    private final double sampleRate;
    private final NoiseSource randomness;

    /**
     * @param sampleRate the batch fraction {@code q} in {@code (0, 1]}: batches hold {@code round(q N)} examples
     * @param randomness the random bits, not null
     */
    public ShuffledBatchSampler(double sampleRate, NoiseSource randomness) {
        this.sampleRate = Checks.sampleRate("sampleRate", sampleRate);
        this.randomness = Checks.notNull("randomness", randomness);
    }

    /**
     * One epoch's batches: a fresh shuffle of {@code 0 .. populationSize - 1} cut into {@code steps}
     * batches of {@code min(N, max(1, round(q N)))} indices each.
     *
     * @param populationSize N, {@code >= 1}
     * @param steps          number of batches, {@code >= 0} and at most {@code Integer.MAX_VALUE}
     */
    public List<int[]> epoch(int populationSize, long steps) {
        Checks.positive("populationSize", populationSize);
        Checks.nonNegative("steps", steps);
        if (steps > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("steps must be at most " + Integer.MAX_VALUE + ", got " + steps);
        }
        int[] order = Shuffles.permutation(populationSize, randomness::nextLong);
        int batchSize = (int) Math.min(populationSize, Math.max(1, Math.round(sampleRate * populationSize)));
        List<int[]> batches = new ArrayList<>((int) steps);
        for (long s = 0; s < steps; s++) {
            int from = (int) ((s * batchSize) % populationSize);
            int[] batch = new int[batchSize];
            for (int k = 0; k < batchSize; k++) {
                batch[k] = order[(from + k) % populationSize];
            }
            batches.add(batch);
        }
        return batches;
    }
}
