package io.github.dpsgd4j.audit.membership;

import io.github.dpsgd4j.audit.model.Dl4jClassifier;
import io.github.dpsgd4j.audit.model.TrainingRecipe;
import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.common.Shuffles;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Shadow (reference) models for LiRA (Carlini et al. 2022, section IV) and RMIA (Zarifzadeh et al.
 * 2024): S models trained with the target's recipe, each on half of a pool of examples. Shadows
 * come in complementary pairs: shadow 2j trains on a random half of the pool (floor(n/2) examples)
 * and shadow 2j+1 on the other half, so that with S even every example is in the training set of
 * exactly S/2 shadows (the balanced design of the LiRA paper's code) and the shadows have only
 * two training-set sizes; an odd last shadow trains on a random half of its own. Keeps only each
 * shadow's logits on the pool.
 *
 * <p>Shadow randomness (which shadow keeps which example, initialisation, batch order) is the
 * attacker's own and uses a seeded {@link SplittableRandom}; it is not privacy noise. Each shadow's
 * seed depends only on its index, so the result does not depend on how many threads train them.
 * Immutable after construction.
 */
public final class ShadowModels {

    private final boolean[][] keep;
    private final double[][][] logits;

    private ShadowModels(boolean[][] keep, double[][][] logits) {
        this.keep = keep;
        this.logits = logits;
    }

    /**
     * Trains {@code count} shadow models one after another.
     *
     * @param recipe the target's training recipe
     * @param pool   examples that may be members (usually the target's members and non-members); not modified
     * @param count  >= 1 (LiRA needs an IN and an OUT shadow per example: even and >= 2; 16 is the
     *               reference setting; RMIA works from 1)
     * @param seed   the attacker's seed
     */
    public static ShadowModels train(TrainingRecipe recipe, DataSet pool, int count, long seed) {
        return train(recipe, pool, count, seed, 1, () -> { });
    }

    /**
     * Trains {@code count} shadow models, on up to {@code threads} threads at once when the recipe
     * is {@linkplain TrainingRecipe#threadSafe() thread-safe} (else one at a time). The result is the
     * same for any number of threads.
     *
     * @param recipe      the target's training recipe
     * @param pool        examples that may be members; not modified
     * @param count       >= 1
     * @param seed        the attacker's seed
     * @param threads     >= 1; more threads than cores only adds contention
     * @param onTrained   called once after each shadow is trained (from the training thread)
     */
    public static ShadowModels train(TrainingRecipe recipe, DataSet pool, int count, long seed, int threads,
                                     Runnable onTrained) {
        Checks.notNull("recipe", recipe);
        Checks.notNull("pool", pool);
        Checks.positive("count", count);
        Checks.positive("threads", threads);
        Checks.notNull("onTrained", onTrained);
        int n = pool.numExamples();
        if (n < 2) {
            throw new IllegalArgumentException("pool must hold at least 2 examples, got " + n);
        }
        // A split stream: the member split of the audit data is drawn from SplittableRandom(seed) itself, and
        // the shadows' halves must not share its draws (that would correlate shadow and target membership).
        boolean[][] keep = balancedKeep(count, n, new SplittableRandom(seed).split());
        double[][][] logits = new double[count][][];
        int workers = recipe.threadSafe() ? Math.min(threads, count) : 1;
        if (workers == 1) {
            for (int s = 0; s < count; s++) {
                logits[s] = trainOne(recipe, pool, keep[s], seed, s);
                onTrained.run();
            }
            return new ShadowModels(keep, logits);
        }
        ExecutorService executor = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "dpsgd4j-shadow");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int s = 0; s < count; s++) {
                int index = s;
                futures.add(executor.submit(() -> {
                    logits[index] = trainOne(recipe, pool, keep[index], seed, index);
                    onTrained.run();
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException ex) {
                    Throwable cause = ex.getCause();
                    if (cause instanceof RuntimeException re) {
                        throw re;
                    }
                    if (cause instanceof Error e) {
                        throw e;
                    }
                    throw new IllegalStateException("training a shadow model failed", cause);
                }
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while training shadow models", ex);
        } finally {
            executor.shutdownNow();
        }
        return new ShadowModels(keep, logits);
    }

    private static double[][] trainOne(TrainingRecipe recipe, DataSet pool, boolean[] keep, long seed, int s) {
        int[] rows = indices(keep, true);
        DataSet part = new DataSet(Nd4j.pullRows(pool.getFeatures(), 1, rows), Nd4j.pullRows(pool.getLabels(), 1, rows));
        Dl4jClassifier shadow = Dl4jClassifier.of(recipe.train(part, seed * 1_000_003L + s + 1).network());
        return shadow.logits(pool.getFeatures());
    }

    /**
     * Shadow models from given inclusion flags and logits (for models trained elsewhere).
     *
     * @param keep   [S][n]: whether shadow s trained on example i; copied
     * @param logits [S][n][K]; copied
     */
    public static ShadowModels of(boolean[][] keep, double[][][] logits) {
        Checks.notNull("keep", keep);
        Checks.notNull("logits", logits);
        Checks.equalTo("logits.length", logits.length, "keep.length", keep.length);
        boolean[][] k = new boolean[keep.length][];
        double[][][] z = new double[logits.length][][];
        for (int s = 0; s < keep.length; s++) {
            k[s] = keep[s].clone();
            Checks.equalTo("logits[" + s + "].length", logits[s].length, "keep[" + s + "].length", k[s].length);
            z[s] = new double[logits[s].length][];
            for (int i = 0; i < logits[s].length; i++) {
                z[s][i] = logits[s][i].clone();
            }
        }
        return new ShadowModels(k, z);
    }

    /** Complementary pairs of random halves (floor(n/2) and ceil(n/2)); an odd last shadow gets a random half. */
    static boolean[][] balancedKeep(int count, int n, SplittableRandom random) {
        boolean[][] keep = new boolean[count][n];
        for (int pair = 0; 2 * pair < count; pair++) {
            int[] order = Shuffles.permutation(n, random);
            for (int i = 0; i < n; i++) {
                boolean firstHalf = i < n / 2;
                keep[2 * pair][order[i]] = firstHalf;
                if (2 * pair + 1 < count) {
                    keep[2 * pair + 1][order[i]] = !firstHalf;
                }
            }
        }
        return keep;
    }

    static int[] indices(boolean[] flags, boolean wanted) {
        int[] out = new int[flags.length];
        int k = 0;
        for (int i = 0; i < flags.length; i++) {
            if (flags[i] == wanted) {
                out[k++] = i;
            }
        }
        return Arrays.copyOf(out, k);
    }

    /**
     * The first {@code k} shadow models (a cheaper attacker that trained only those): with shadows
     * in complementary pairs, an even {@code k} keeps every example IN for exactly k/2 of them.
     *
     * @param k in [1, {@link #count()}]
     */
    public ShadowModels first(int k) {
        if (k < 1 || k > keep.length) {
            throw new IllegalArgumentException("k must be in [1, " + keep.length + "] (the shadow models trained), got "
                    + k);
        }
        return new ShadowModels(Arrays.copyOf(keep, k), Arrays.copyOf(logits, k));
    }

    /** Number of shadow models S. */
    public int count() {
        return keep.length;
    }

    /** Number of pool examples n. */
    public int size() {
        return keep[0].length;
    }

    /** Whether shadow {@code s} trained on example {@code i}. */
    public boolean kept(int s, int i) {
        return keep[s][i];
    }

    /** Logits of shadow {@code s} on example {@code i} (a copy). */
    public double[] logits(int s, int i) {
        return logits[s][i].clone();
    }

    double[] logitsView(int s, int i) {
        return logits[s][i];
    }

    boolean[][] keepView() {
        return keep;
    }
}
