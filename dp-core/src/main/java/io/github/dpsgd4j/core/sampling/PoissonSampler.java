package io.github.dpsgd4j.core.sampling;

import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.core.noise.NoiseSource;

import java.util.Arrays;

/**
 * Poisson sampling: {@link #sample(int)} includes each index of a population independently with
 * probability {@code q}, the sampling under which DP-SGD's privacy amplification is analysed
 * (Abadi et al. 2016, "Deep learning with differential privacy", CCS; Mironov, Talwar and Zhang
 * 2019, "R&eacute;nyi differential privacy of the sampled Gaussian mechanism", arXiv:1908.10530).
 *
 * <p><b>Exactness.</b> Each index draws one 64-bit word {@code x} from the {@link NoiseSource} and
 * is included iff {@code (x >>> 11) < floor(q * 2^53)}. The inclusion probability is therefore
 * exactly {@code q' = floor(q * 2^53) / 2^53}, with {@code q - 2^-53 < q' <= q}: independent
 * Bernoulli(q') draws, never above the {@code q} given to the accountant, so the rounding errs
 * toward privacy (and {@code q < 2^-53} includes nothing). The selection loop is written without
 * a branch on the random words (the JIT normally emits a conditional move), so its timing reveals
 * how many indices were drawn but not which.
 * Cost: one 64-bit word per index (about 1&ndash;2 ns per index with the AES source).
 *
 * <p><b>Security.</b> Sampling is as secure as its source: with {@link NoiseSource#secure()} the
 * batch composition is unpredictable; with {@link NoiseSource#seeded(long)} it is reproducible and
 * not secure. The sampler's {@link #isSecure()} reports the source's.
 *
 * <p><b>Thread safety.</b> Immutable apart from its source; thread-safe when the source is (the
 * {@link NoiseSource} factories' sources are). Concurrent samples draw disjoint random words.
 */
public final class PoissonSampler {

    private static final int WORDS_PER_CHUNK = 1024;

    private final double sampleRate;
    private final long threshold;
    private final NoiseSource randomness;

    /**
     * @param sampleRate the inclusion probability {@code q}, in {@code (0, 1]}
     * @param randomness the random bits, not null; {@link NoiseSource#secure()} for private training
     * @throws IllegalArgumentException if {@code sampleRate} is NaN or outside {@code (0, 1]}, or
     *                                  {@code randomness} is null
     */
    public PoissonSampler(double sampleRate, NoiseSource randomness) {
        this.sampleRate = Checks.sampleRate("sampleRate", sampleRate);
        this.randomness = Checks.notNull("randomness", randomness);
        this.threshold = (long) Math.floor(sampleRate * 0x1.0p53);
    }

    /** The sampling rate {@code q} given at construction. */
    public double sampleRate() {
        return sampleRate;
    }

    /**
     * The inclusion probability actually realised, {@code floor(q * 2^53) / 2^53}: at most
     * {@link #sampleRate()} and less than it by under {@code 2^-53}.
     */
    public double effectiveSampleRate() {
        return threshold * 0x1.0p-53;
    }

    /** Whether the random source is secure ({@link NoiseSource#isSecure()}). */
    public boolean isSecure() {
        return randomness.isSecure();
    }

    /**
     * Draws one Poisson sample of {@code {0, ..., populationSize - 1}}.
     *
     * @param populationSize the number of examples, {@code >= 0}
     * @return the included indices in increasing order; a new array, possibly empty. Its length is
     *         Binomial({@code populationSize}, {@link #effectiveSampleRate()}).
     * @throws IllegalArgumentException if {@code populationSize < 0}
     */
    public int[] sample(int populationSize) {
        Checks.nonNegative("populationSize", populationSize);
        double expected = sampleRate * populationSize;
        int capacity = (int) Math.min(populationSize, expected + 8 * Math.sqrt(expected) + 16);
        int[] included = new int[capacity];
        int count = 0;
        long[] words = new long[Math.min(WORDS_PER_CHUNK, Math.max(1, populationSize))];
        long t = threshold;
        for (int start = 0; start < populationSize; start += words.length) {
            int n = Math.min(words.length, populationSize - start);
            randomness.nextLongs(words, 0, n);
            if (included.length - count < n) {
                included = Arrays.copyOf(included, (int) Math.min(populationSize,
                        Math.max((long) included.length * 2, (long) count + n)));
            }
            for (int k = 0; k < n; k++) {
                included[count] = start + k;
                count += (words[k] >>> 11) < t ? 1 : 0;
            }
        }
        return count == included.length ? included : Arrays.copyOf(included, count);
    }

    @Override
    public String toString() {
        return "PoissonSampler[sampleRate=" + sampleRate + ", randomness=" + randomness + "]";
    }
}
