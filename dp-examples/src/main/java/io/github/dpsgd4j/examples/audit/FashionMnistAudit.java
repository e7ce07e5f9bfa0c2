package io.github.dpsgd4j.examples.audit;

import io.github.dpsgd4j.accounting.PrivacyBudget;
import io.github.dpsgd4j.audit.AuditData;
import io.github.dpsgd4j.audit.model.MlpRecipe;
import io.github.dpsgd4j.audit.model.NoiseMode;
import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.examples.data.FashionMnist;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The Fashion-MNIST audit experiment of {@code dpsgd4j audit --dataset fashion-mnist}: a pool of the
 * first training images, members drawn by fair coins, and the two recipes (a 784-256-10 tanh MLP,
 * non-private: Adam 1e-3, batch 64, 40 epochs; private: DP-SGD, C = 1, expected batch 128, 20
 * epochs, sigma calibrated by PLD to the budget). Stateless.
 */
public final class FashionMnistAudit {

    /** Hidden width of the MLP. */
    public static final int HIDDEN = 256;
    /** Epochs of the non-private recipe. */
    public static final int NON_PRIVATE_EPOCHS = 40;
    /** Mini-batch size of the non-private recipe. */
    public static final int NON_PRIVATE_BATCH = 64;
    /** Epochs of the private recipe. */
    public static final int PRIVATE_EPOCHS = 20;
    /** Expected (Poisson) batch size of the private recipe. */
    public static final int PRIVATE_BATCH = 128;
    /** Largest pool: the training set's size. */
    public static final int MAX_POOL = 60_000;

    private FashionMnistAudit() {
    }

    /**
     * The first {@code poolSize} training images of Fashion-MNIST (pixels in [0, 1]) split into
     * members and non-members by fair coins drawn with {@code seed}.
     *
     * @param directory where the IDX files are
     * @param poolSize  in [4, 60000]
     * @param seed      the auditor's seed
     * @throws IOException if the files cannot be read
     */
    public static AuditData data(Path directory, int poolSize, long seed) throws IOException {
        Checks.notNull("directory", directory);
        if (poolSize < 4 || poolSize > MAX_POOL) {
            throw new IllegalArgumentException("poolSize must be in [4, " + MAX_POOL + "] for fashion-mnist, got "
                    + poolSize);
        }
        int[] first = new int[poolSize];
        for (int i = 0; i < poolSize; i++) {
            first[i] = i;
        }
        DataSet pool = FashionMnist.load(directory).train().subset(first).toDataSet();
        return AuditData.coinFlipSplit(pool, FashionMnist.SIDE, FashionMnist.SIDE, FashionMnist.CLASSES, seed);
    }

    /**
     * The recipe of the target and its shadow models.
     *
     * @param budget null for the non-private recipe
     * @param noise  DP-SGD noise of the private recipe (ignored without a budget)
     */
    public static MlpRecipe recipe(PrivacyBudget budget, NoiseMode noise) {
        int features = FashionMnist.SIDE * FashionMnist.SIDE;
        MlpRecipe.Builder b = MlpRecipe.builder(features, FashionMnist.CLASSES).hidden(HIDDEN);
        if (budget == null) {
            return b.epochs(NON_PRIVATE_EPOCHS).batchSize(NON_PRIVATE_BATCH).updater(new Adam(1e-3)).build();
        }
        return b.epochs(PRIVATE_EPOCHS).batchSize(PRIVATE_BATCH).privately(budget, 1.0, noise).build();
    }

    /** One sentence for reports: the pool, the split and both recipes. */
    public static String description(int poolSize, double epsilon, double delta, int shadowModels) {
        return "Fashion-MNIST (first " + poolSize + " training images, 28x28), members = a fair-coin half; 784-"
                + HIDDEN + "-10 tanh MLP; non-private: Adam, " + NON_PRIVATE_EPOCHS + " epochs; private: DP-SGD, C = 1, "
                + "expected batch " + PRIVATE_BATCH + ", " + PRIVATE_EPOCHS + " epochs, target (epsilon, delta) = ("
                + epsilon + ", " + delta + "); " + shadowModels + " shadow models.";
    }
}
