package io.github.dpsgd4j.audit;

import io.github.dpsgd4j.accounting.PrivacyBudget;
import io.github.dpsgd4j.audit.model.MlpRecipe;
import io.github.dpsgd4j.audit.model.NoiseMode;
import io.github.dpsgd4j.audit.model.TrainedModel;
import io.github.dpsgd4j.audit.model.TrainingRecipe;
import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.datasets.DigitsDataset;
import org.nd4j.linalg.learning.config.Adam;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One call that trains and audits: membership inference (loss threshold, LiRA and RMIA, with caps
 * and null bands), white-box and black-box model inversion (MI-Face), output policies side by side,
 * one-run empirical epsilon lower bounds and, for private models, the gradient-canary check of the
 * DP-SGD settings (the models are trained by {@code AuditModels}, the attacks run by
 * {@code ModelAuditor}). {@link #digits} is the reference experiment on the bundled digits;
 * {@link #audit} audits any trained classifier given the recipe to train its shadows.
 *
 * <p>Not thread-safe (trains and queries DL4J networks); run one audit at a time per thread.
 */
public final class QuickAudit {

    /** Which models the digits experiment trains. */
    public enum Training {
        /** Only the model trained without differential privacy. */
        NON_PRIVATE,
        /** Only the DP-SGD model. */
        PRIVATE,
        /** Both, non-private first. */
        BOTH
    }

    /** Hidden width of the digits MLP (wide enough to memorise without privacy). */
    public static final int DIGITS_HIDDEN = 256;
    /** Epochs of the non-private digits model (long enough to overfit). */
    public static final int DIGITS_NON_PRIVATE_EPOCHS = 50;
    /** Epochs of the private digits model. */
    public static final int DIGITS_PRIVATE_EPOCHS = 30;
    /** Expected batch size of the private digits model (Poisson sampling). */
    public static final int DIGITS_PRIVATE_BATCH = 128;

    private QuickAudit() {
    }

    /**
     * The digits recipe: a 64-256-10 tanh MLP, either non-private (Adam 2e-3, batch 32, 50
     * epochs: it memorises its training set) or DP-SGD (C = 1, Poisson sampling with expected batch
     * 128, 30 epochs, Nesterov momentum 0.9 at learning rate 0.1, sigma calibrated by PLD to
     * {@code budget}).
     *
     * @param budget null for the non-private recipe
     */
    public static MlpRecipe digitsRecipe(PrivacyBudget budget, NoiseMode noise) {
        MlpRecipe.Builder b = MlpRecipe.builder(DigitsDataset.FEATURES, DigitsDataset.CLASSES).hidden(DIGITS_HIDDEN);
        if (budget == null) {
            return b.epochs(DIGITS_NON_PRIVATE_EPOCHS).batchSize(32).updater(new Adam(2e-3)).build();
        }
        return b.epochs(DIGITS_PRIVATE_EPOCHS).batchSize(DIGITS_PRIVATE_BATCH).privately(budget, 1.0, noise).build();
    }

    /**
     * The reference experiment on the bundled digits: members drawn by fair coins from all 1,797
     * images (a 50/50 split), the chosen models trained on the members with {@link #digitsRecipe},
     * then audited.
     *
     * @param training      which models
     * @param targetEpsilon epsilon of the private model (at {@code settings.delta()}), finite and > 0
     * @param noise         DP-SGD noise of the private target and its shadows
     * @param settings      audit settings
     * @return one {@link ModelAudit} per model, non-private first
     */
    public static List<ModelAudit> digits(Training training, double targetEpsilon, NoiseMode noise,
                                          AuditSettings settings) {
        return digits(training, targetEpsilon, noise, settings, AuditExecution.defaults());
    }

    /** As {@link #digits(Training, double, NoiseMode, AuditSettings)}, run as {@code execution} says. */
    public static List<ModelAudit> digits(Training training, double targetEpsilon, NoiseMode noise,
                                          AuditSettings settings, AuditExecution execution) {
        Checks.notNull("training", training);
        Checks.notNull("execution", execution);
        Checks.finitePositive("targetEpsilon", targetEpsilon);
        Checks.notNull("settings", settings);
        AuditData data = digitsData(settings.seed());
        List<ModelAudit> out = new ArrayList<>();
        if (training == Training.BOTH && execution.threads() > 1) {
            // The private models train while the non-private model's attacks and inversion (one thread) run:
            // the cores stay busy. Their progress is shown once the non-private audit is done.
            AuditModels.Trained nonPrivate = AuditModels.train("non_private", digitsRecipe(null, noise), data, settings,
                    execution);
            DeferredProgress later = new DeferredProgress();
            CompletableFuture<AuditModels.Trained> dpSgd = CompletableFuture.supplyAsync(() -> AuditModels.train(
                    "private", digitsRecipe(new PrivacyBudget(targetEpsilon, settings.delta()), noise), data, settings,
                    new AuditExecution(execution.threads(), later)), AuditModels::daemon);
            out.add(ModelAuditor.audit("non_private", nonPrivate, data, settings, execution));
            later.forwardTo(execution.progress());
            out.add(ModelAuditor.audit("private", AuditModels.join(dpSgd), data, settings, execution));
            return out;
        }
        if (training != Training.PRIVATE) {
            out.add(trainAndAudit("non_private", digitsRecipe(null, noise), data, settings, execution));
        }
        if (training != Training.NON_PRIVATE) {
            out.add(trainAndAudit("private", digitsRecipe(new PrivacyBudget(targetEpsilon, settings.delta()), noise),
                    data, settings, execution));
        }
        return out;
    }

    /** The digits pool split 50/50 by fair coins with {@code seed}. */
    public static AuditData digitsData(long seed) {
        return AuditData.coinFlipSplit(DigitsDataset.load().all(), 8, 8, DigitsDataset.CLASSES, seed);
    }

    /**
     * Trains a target on the members of {@code data} with {@code recipe}, then audits it with
     * shadows trained by the same recipe.
     */
    public static ModelAudit trainAndAudit(String name, TrainingRecipe recipe, AuditData data, AuditSettings settings) {
        return trainAndAudit(name, recipe, data, settings, AuditExecution.defaults());
    }

    /**
     * As {@link #trainAndAudit(String, TrainingRecipe, AuditData, AuditSettings)}; with a
     * {@linkplain TrainingRecipe#threadSafe() thread-safe} recipe and more than one thread the target
     * trains beside the shadow models.
     */
    public static ModelAudit trainAndAudit(String name, TrainingRecipe recipe, AuditData data, AuditSettings settings,
                                           AuditExecution execution) {
        Checks.notNull("recipe", recipe);
        Checks.notNull("data", data);
        Checks.notNull("settings", settings);
        Checks.notNull("execution", execution);
        return ModelAuditor.audit(name, AuditModels.train(name, recipe, data, settings, execution), data, settings,
                execution);
    }

    /**
     * Audits an already trained model.
     *
     * @param name     label in reports
     * @param target   the model and its guarantee
     * @param recipe   how to train shadows like it (the attacker's knowledge of the training algorithm)
     * @param data     the pool with the target's true membership
     * @param settings audit settings
     */
    public static ModelAudit audit(String name, TrainedModel target, TrainingRecipe recipe, AuditData data,
                                   AuditSettings settings) {
        return audit(name, target, recipe, data, settings, AuditExecution.defaults());
    }

    /** As {@link #audit(String, TrainedModel, TrainingRecipe, AuditData, AuditSettings)}, run as {@code execution} says. */
    public static ModelAudit audit(String name, TrainedModel target, TrainingRecipe recipe, AuditData data,
                                   AuditSettings settings, AuditExecution execution) {
        Checks.notNull("recipe", recipe);
        Checks.notNull("data", data);
        Checks.notNull("settings", settings);
        Checks.notNull("execution", execution);
        Checks.notNull("target", target);
        return ModelAuditor.audit(name, AuditModels.shadowsFor(name, target, recipe, data, settings, execution), data,
                settings, execution);
    }
}
