package io.github.dpsgd4j.audit.membership;

import io.github.dpsgd4j.accounting.Checks;
import io.github.dpsgd4j.audit.model.Dl4jClassifier;
import io.github.dpsgd4j.audit.model.TrainingRecipe;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Shadow models for LiRA (Carlini et al. 2022, section IV): S models trained with the target's
 * recipe, each on half of a pool of examples, such that every example is in the training set of
 * exactly S/2 shadows (the balanced design of the paper's code: per example, a random half of the
 * shadows keeps it). Keeps only each shadow's logits on the pool.
 *
 * <p>Shadow randomness (which shadow keeps which example, initialisation, batch order) is the
 * attacker's own and uses a seeded {@link SplittableRandom}; it is not privacy noise. Immutable
 * after construction.
 */
public final class ShadowModels {

    private final boolean[][] keep;
    private final double[][][] logits;

    private ShadowModels(boolean[][] keep, double[][][] logits) {
        this.keep = keep;
        this.logits = logits;
    }

    /**
     * Trains {@code count} shadow models.
     *
     * @param recipe the target's training recipe
     * @param pool   examples that may be members (usually the target's members and non-members); not modified
     * @param count  even and >= 2 (16 is the reference setting; 64+ gives per-example variances)
     * @param seed   the attacker's seed
     */
    public static ShadowModels train(TrainingRecipe recipe, DataSet pool, int count, long seed) {
        Checks.notNull("recipe", recipe);
        Checks.notNull("pool", pool);
        if (count < 2 || count % 2 != 0) {
            throw new IllegalArgumentException("count must be even and >= 2, got " + count);
        }
        int n = pool.numExamples();
        boolean[][] keep = balancedKeep(count, n, new SplittableRandom(seed));
        double[][][] logits = new double[count][][];
        for (int s = 0; s < count; s++) {
            int[] rows = indices(keep[s], true);
            DataSet part = new DataSet(Nd4j.pullRows(pool.getFeatures(), 1, rows), Nd4j.pullRows(pool.getLabels(), 1, rows));
            Dl4jClassifier shadow = Dl4jClassifier.of(recipe.train(part, seed * 1_000_003L + s + 1).network());
            logits[s] = shadow.logits(pool.getFeatures());
        }
        return new ShadowModels(keep, logits);
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

    static boolean[][] balancedKeep(int count, int n, SplittableRandom random) {
        boolean[][] keep = new boolean[count][n];
        int[] order = new int[count];
        for (int i = 0; i < n; i++) {
            for (int s = 0; s < count; s++) {
                order[s] = s;
            }
            for (int s = count - 1; s > 0; s--) {
                int j = random.nextInt(s + 1);
                int t = order[s];
                order[s] = order[j];
                order[j] = t;
            }
            for (int s = 0; s < count / 2; s++) {
                keep[order[s]][i] = true;
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
