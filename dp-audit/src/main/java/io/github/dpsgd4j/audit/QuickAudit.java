package io.github.dpsgd4j.audit;

import io.github.dpsgd4j.accounting.PrivacyBudget;
import io.github.dpsgd4j.audit.epsilon.GaussianDpOneRunAudit;
import io.github.dpsgd4j.audit.epsilon.GradientCanaryAudit;
import io.github.dpsgd4j.audit.epsilon.OneRunAudit;
import io.github.dpsgd4j.audit.inversion.HalfImageCompletion;
import io.github.dpsgd4j.audit.inversion.InversionMetrics;
import io.github.dpsgd4j.audit.inversion.MiFace;
import io.github.dpsgd4j.audit.inversion.MiFaceConfig;
import io.github.dpsgd4j.audit.inversion.Reconstruction;
import io.github.dpsgd4j.audit.membership.ClassSlice;
import io.github.dpsgd4j.audit.membership.MembershipAudit;
import io.github.dpsgd4j.audit.membership.ShadowModels;
import io.github.dpsgd4j.audit.model.Dl4jClassifier;
import io.github.dpsgd4j.audit.model.LogitMath;
import io.github.dpsgd4j.audit.model.MlpRecipe;
import io.github.dpsgd4j.audit.model.NoiseMode;
import io.github.dpsgd4j.audit.model.OutputPolicy;
import io.github.dpsgd4j.audit.model.TrainedModel;
import io.github.dpsgd4j.audit.model.TrainingRecipe;
import io.github.dpsgd4j.audit.stats.RocBound;
import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.datasets.DigitsDataset;
import org.nd4j.linalg.learning.config.Adam;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One call that trains and audits: membership inference (loss threshold and LiRA, with caps and
 * null bands), white-box and black-box model inversion (MI-Face), output policies side by side, a
 * one-run empirical epsilon lower bound and, for private models, the gradient-canary check of the
 * DP-SGD settings. {@link #digits} is the reference experiment on the bundled digits;
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
            Trained nonPrivate = train("non_private", digitsRecipe(null, noise), data, settings, execution);
            DeferredProgress later = new DeferredProgress();
            CompletableFuture<Trained> dpSgd = CompletableFuture.supplyAsync(() -> train("private",
                    digitsRecipe(new PrivacyBudget(targetEpsilon, settings.delta()), noise), data, settings,
                    new AuditExecution(execution.threads(), later)), QuickAudit::daemon);
            out.add(audit("non_private", nonPrivate, data, settings, execution));
            later.forwardTo(execution.progress());
            out.add(audit("private", join(dpSgd), data, settings, execution));
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
        return audit(name, train(name, recipe, data, settings, execution), data, settings, execution);
    }

    /** A target and its shadows, with when their training started and ended ({@link System#nanoTime()}). */
    private record Trained(TrainedModel target, ShadowModels shadows, long start, long trainedAt) {
    }

    private static Trained train(String name, TrainingRecipe recipe, AuditData data, AuditSettings settings,
                                 AuditExecution execution) {
        long start = System.nanoTime();
        long seed = settings.seed() * 7919 + 17;
        execution.progress().phaseStarted("models (" + name + ")", settings.shadowModels() + 1);
        if (execution.threads() > 1 && recipe.threadSafe()) {
            CompletableFuture<TrainedModel> target = CompletableFuture.supplyAsync(() -> {
                TrainedModel t = recipe.train(data.members(), seed);
                execution.progress().unitDone();
                return t;
            }, QuickAudit::daemon);
            // All threads train shadows while the target trains beside them: one thread too many for the first
            // model's time (with threads - 1 shadow threads, two threads left one core idle for every shadow).
            ShadowModels shadows = ShadowModels.train(recipe, data.pool(), settings.shadowModels(), settings.seed(),
                    execution.threads(), execution.progress()::unitDone);
            return new Trained(join(target), shadows, start, System.nanoTime());
        }
        TrainedModel target = recipe.train(data.members(), seed);
        execution.progress().unitDone();
        ShadowModels shadows = ShadowModels.train(recipe, data.pool(), settings.shadowModels(), settings.seed(),
                execution.threads(), execution.progress()::unitDone);
        return new Trained(target, shadows, start, System.nanoTime());
    }

    private static void daemon(Runnable runnable) {
        Thread thread = new Thread(runnable, "dpsgd4j-models");
        thread.setDaemon(true);
        thread.start();
    }

    /** The value of a future, with a failure rethrown as it was thrown. */
    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (java.util.concurrent.CompletionException ex) {
            Throwable cause = ex.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException("training the audit's models failed", cause);
        }
    }

    /**
     * Progress of work that runs in the background: it keeps the last phase and its finished units
     * until {@link #forwardTo} replays them and passes everything on from then on.
     */
    private static final class DeferredProgress implements AuditExecution.Progress {
        private String name;
        private int units;
        private int done;
        private AuditExecution.Progress target;

        @Override
        public synchronized void phaseStarted(String phase, int count) {
            if (target != null) {
                target.phaseStarted(phase, count);
            } else {
                name = phase;
                units = count;
                done = 0;
            }
        }

        @Override
        public synchronized void unitDone() {
            if (target != null) {
                target.unitDone();
            } else {
                done++;
            }
        }

        synchronized void forwardTo(AuditExecution.Progress progress) {
            if (name != null) {
                progress.phaseStarted(name, units);
                for (int i = 0; i < done; i++) {
                    progress.unitDone();
                }
            }
            target = progress;
        }
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
        long start = System.nanoTime();
        execution.progress().phaseStarted("shadow models (" + name + ")", settings.shadowModels());
        ShadowModels shadows = ShadowModels.train(recipe, data.pool(), settings.shadowModels(), settings.seed(),
                execution.threads(), execution.progress()::unitDone);
        return audit(name, new Trained(target, shadows, start, System.nanoTime()), data, settings, execution);
    }

    private static ModelAudit audit(String name, Trained trained, AuditData data, AuditSettings settings,
                                    AuditExecution execution) {
        TrainedModel target = trained.target();
        ShadowModels shadows = trained.shadows();
        long start = trained.start();
        Checks.notNull("name", name);
        Checks.notNull("target", target);
        Dl4jClassifier model = Dl4jClassifier.of(target.network());
        if (model.numClasses() != data.numClasses()) {
            throw new IllegalArgumentException("the model has " + model.numClasses() + " classes but the data "
                    + data.numClasses());
        }
        boolean[] member = data.member();
        int[] labels = data.labels();
        double[][] logits = model.logits(data.pool().getFeatures());
        int[] correct = new int[2];
        int[] total = new int[2];
        boolean[] right = new boolean[labels.length];
        for (int i = 0; i < labels.length; i++) {
            int g = member[i] ? 0 : 1;
            total[g]++;
            right[i] = LogitMath.argmax(logits[i]) == labels[i];
            if (right[i]) {
                correct[g]++;
            }
        }

        Map<String, Double> phases = new LinkedHashMap<>();
        long mark = System.nanoTime();
        phases.put("models_training", (trained.trainedAt() - start) / 1e9);
        execution.progress().phaseStarted("attacks and bounds (" + name + ")", 1);
        List<MembershipAudit.Result> membership = MembershipAudit.run(shadows, logits, labels, member,
                settings.policies(), settings.variance(), settings.seed());
        double[] headline = membership.get(0).liraOnlineScores();
        OneRunAudit.Result oneRun = OneRunAudit.fromScores(headline, member, settings.delta(), 0.95, settings.seed());
        OneRunAudit.Result oneRunGdp = GaussianDpOneRunAudit.fromScores(headline, member, settings.delta(), 0.95,
                settings.seed());
        List<ClassSlice> slices = ClassSlice.of(membership.get(0), labels, member, right, data.numClasses());
        TrainedModel.DpSgdRun run = target.dpSgd();
        RocBound rocBound = run != null && run.steps() > 0 && run.noiseMultiplier() > 0
                ? RocBound.ofDpSgd(run.noiseMultiplier(), run.sampleRate(), run.steps())
                : target.isPrivate() ? RocBound.ofGuarantee(target.epsilon(), target.delta()) : null;
        execution.progress().unitDone();

        mark = lap(phases, "membership_inference", mark);
        execution.progress().phaseStarted("model inversion (" + name + ")", 1);
        double[][] images = data.images();
        int d = images[0].length;
        double[] auxiliaryMean = new double[d];
        int auxiliary = 0;
        for (int i = 0; i < images.length; i++) {
            if (!member[i]) {
                auxiliary++;
                for (int j = 0; j < d; j++) {
                    auxiliaryMean[j] += images[i][j];
                }
            }
        }
        for (int j = 0; j < d; j++) {
            auxiliaryMean[j] /= auxiliary;
        }
        int[] classes = new int[data.numClasses()];
        for (int c = 0; c < classes.length; c++) {
            classes[c] = c;
        }
        int window = Math.min(data.width(), data.height()) >= 28 ? 7 : 3;
        List<Reconstruction> reconstructions = MiFace.whiteBox(model, classes, d, auxiliaryMean, settings.miFace());
        InversionMetrics inversion = InversionMetrics.evaluate(reconstructions, images, labels, member,
                data.numClasses(), data.width(), data.height(), window, settings.seed());
        HalfImageCompletion completion = data.height() >= 2 ? HalfImageCompletion.evaluate(model, images, labels,
                member, data.width(), data.height(), data.numClasses(), HalfImageCompletion.DEFAULT_ITERATIONS,
                HalfImageCompletion.DEFAULT_STEP) : null;
        execution.progress().unitDone();
        mark = lap(phases, "white_box_inversion", mark);
        Map<String, InversionMetrics> blackBox = new LinkedHashMap<>();
        Map<String, List<Reconstruction>> blackBoxReconstructions = new LinkedHashMap<>();
        if (settings.blackBoxIterations() > 0) {
            MiFaceConfig config = settings.miFace().withMaxIterations(settings.blackBoxIterations())
                    .withRandomDirections(d > 100 ? 64 : 0);
            for (OutputPolicy policy : settings.policies()) {
                if (policy instanceof OutputPolicy.FullConfidences) {
                    continue; // black box with full confidences reproduces the white-box search (tested)
                }
                List<Reconstruction> r = MiFace.blackBox(model, policy, classes, d, auxiliaryMean, config);
                blackBoxReconstructions.put(policy.name(), r);
                blackBox.put(policy.name(), InversionMetrics.evaluate(r, images, labels, member, data.numClasses(),
                        data.width(), data.height(), window, settings.seed()));
            }
        }

        mark = lap(phases, "black_box_inversion", mark);
        GradientCanaryAudit.Result canary = null;
        if (run != null && settings.gradientCanaryRuns() > 0 && run.steps() > 0 && run.noiseMultiplier() > 0) {
            canary = GradientCanaryAudit.run(new GradientCanaryAudit.Settings(run.l2NormClip(), run.noiseMultiplier(),
                            run.sampleRate(), (int) Math.min(Integer.MAX_VALUE, run.steps()),
                            Math.max(4, settings.gradientCanaryRuns()), 100,
                            target.delta() > 0 ? target.delta() : settings.delta()),
                    GradientCanaryAudit.TrainerFactory.dpsgd4j(), NoiseSource.secure(), settings.seed());
        }
        lap(phases, "gradient_canary", mark);
        double caps = target.delta() > 0 ? target.delta() : settings.delta();
        return new ModelAudit(name, target.epsilon(), target.delta(),
                new io.github.dpsgd4j.audit.stats.PrivacyCaps(target.epsilon(), target.isPrivate() ? caps : 0),
                (double) correct[0] / total[0], (double) correct[1] / total[1], membership, oneRun, inversion,
                reconstructions, blackBox, blackBoxReconstructions, canary, total[0], total[1],
                (System.nanoTime() - start) / 1e9, phases, rocBound, oneRunGdp, slices, completion);
    }

    private static long lap(Map<String, Double> phases, String name, long since) {
        long now = System.nanoTime();
        phases.put(name, (now - since) / 1e9);
        return now;
    }
}
