package io.github.dpsgd4j.spark;

import io.github.dpsgd4j.accounting.AccountantType;
import io.github.dpsgd4j.accounting.NoiseCalibration;
import io.github.dpsgd4j.accounting.PrivacyBudget;
import io.github.dpsgd4j.accounting.PrivacyLedger;
import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.core.clip.NonFiniteNormPolicy;
import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.optimizers.DpSgdCheckpoint;
import io.github.dpsgd4j.optimizers.DpSgdConfig;
import io.github.dpsgd4j.optimizers.PrivacyGuard;
import io.github.dpsgd4j.optimizers.PrivacyListener;
import io.github.dpsgd4j.optimizers.SamplingMethod;
import io.github.dpsgd4j.optimizers.StepPlan;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.api.Model;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Configures a {@link SparkDpSgdTrainer}: the same privacy settings, with the same meaning and
 * checks, as dp-optimizers' {@code DpSgdTrainer.Builder}, plus the Spark data and its storage.
 * Sampling is always Poisson (each partition's examples by independent Bernoulli draws). Custom
 * layer rules are not available on Spark yet (executors use {@code LayerRules.defaults()}).
 */
public final class SparkTrainerBuilder {

    final JavaSparkContext spark;
    final Model model;
    JavaRDD<?> data;
    Double l2NormClip;
    Double noiseMultiplier;
    Double sampleRate;
    PrivacyBudget targetBudget;
    double targetEpochs = Double.NaN;
    double epochs = Double.NaN;
    PrivacyBudget budget;
    int physicalBatchSize = 256;
    NonFiniteNormPolicy nonFiniteNormPolicy = NonFiniteNormPolicy.SKIP;
    AccountantType accountant = AccountantType.PLD;
    Double reportingDelta;
    NoiseSource noise;
    final List<PrivacyListener> listeners = new ArrayList<>();
    Path checkpointDirectory;
    long checkpointEverySteps;
    long journalReservation = PrivacyGuard.DEFAULT_JOURNAL_RESERVATION;
    StorageLevel storageLevel = StorageLevel.MEMORY_ONLY();
    int aggregationDepth = 2;

    SparkTrainerBuilder(JavaSparkContext spark, Model model) {
        this.spark = Checks.notNull("spark", spark);
        this.model = Checks.notNull("model", model);
    }

    /** The training examples: an RDD of DataSets (one or more examples each), deterministic (e.g. cached). */
    public SparkTrainerBuilder data(JavaRDD<DataSet> data) {
        this.data = Checks.notNull("data", data);
        return this;
    }

    /** The training examples of a model with several inputs or outputs: an RDD of MultiDataSets. */
    public SparkTrainerBuilder multiData(JavaRDD<MultiDataSet> data) {
        this.data = Checks.notNull("data", data);
        return this;
    }

    /** C, the L2 norm every example's gradient is clipped to; required, > 0 (see {@code DpSgdConfig}). */
    public SparkTrainerBuilder l2NormClip(double l2NormClip) {
        this.l2NormClip = Checks.positive("l2NormClip", l2NormClip);
        return this;
    }

    /** sigma, noise standard deviation over C; finite and >= 0. Or use {@link #targetBudget}. */
    public SparkTrainerBuilder noiseMultiplier(double noiseMultiplier) {
        this.noiseMultiplier = Checks.finiteNonNegative("noiseMultiplier", noiseMultiplier);
        return this;
    }

    /** q, the Poisson sampling rate (expected batch size / N); required, in (0, 1]. */
    public SparkTrainerBuilder sampleRate(double sampleRate) {
        this.sampleRate = Checks.sampleRate("sampleRate", sampleRate);
        return this;
    }

    /** Calibrates sigma so that {@code epochs} epochs spend exactly {@code budget}, guards it, and plans them. */
    public SparkTrainerBuilder targetBudget(PrivacyBudget budget, double epochs) {
        this.targetBudget = Checks.notNull("budget", budget);
        this.targetEpochs = Checks.finitePositive("epochs", epochs);
        return this;
    }

    /** The epochs {@link SparkDpSgdTrainer#fit()} runs when sigma is given directly; finite, > 0. */
    public SparkTrainerBuilder epochs(double epochs) {
        this.epochs = Checks.finitePositive("epochs", epochs);
        return this;
    }

    /** A budget training must never exceed: it stops before the step that would. */
    public SparkTrainerBuilder budget(PrivacyBudget budget) {
        this.budget = Checks.notNull("budget", budget);
        return this;
    }

    /** The largest micro-batch an executor runs through its model at once (memory only); 256 by default. */
    public SparkTrainerBuilder physicalBatchSize(int size) {
        this.physicalBatchSize = Checks.positive("physicalBatchSize", size);
        return this;
    }

    /** What happens to an example whose gradient norm is NaN or infinite; SKIP by default. */
    public SparkTrainerBuilder nonFiniteNormPolicy(NonFiniteNormPolicy policy) {
        this.nonFiniteNormPolicy = Checks.notNull("nonFiniteNormPolicy", policy);
        return this;
    }

    /** The accountant for reports, calibration and the budget guard; PLD by default. */
    public SparkTrainerBuilder accountant(AccountantType accountant) {
        this.accountant = Checks.notNull("accountant", accountant);
        return this;
    }

    /** The delta for epsilon reports; the budget's delta, else 1e-5. */
    public SparkTrainerBuilder reportingDelta(double delta) {
        this.reportingDelta = Checks.openUnitInterval("reportingDelta", delta);
        return this;
    }

    /**
     * The driver's randomness for noise and for the step keys of the sampling;
     * {@link NoiseSource#secure()} by default. It never leaves the driver.
     */
    public SparkTrainerBuilder noiseSource(NoiseSource noise) {
        this.noise = Checks.notNull("noise", noise);
        return this;
    }

    /** Adds a listener for steps, epochs (with epsilon), budget stops and warnings (called on the driver). */
    public SparkTrainerBuilder listener(PrivacyListener listener) {
        this.listeners.add(Checks.notNull("listener", listener));
        return this;
    }

    /**
     * Checkpoints (the same files as {@code DpSgdTrainer}'s, resumable by either) after every epoch, every
     * {@code everySteps} steps (0: epochs only) and at a budget stop, with the write-ahead privacy journal.
     */
    public SparkTrainerBuilder checkpoints(Path directory, long everySteps) {
        this.checkpointDirectory = Checks.notNull("directory", directory);
        this.checkpointEverySteps = Checks.nonNegative("everySteps", everySteps);
        return this;
    }

    /** Steps reserved in the journal at a time, {@code >= 1}; 64 by default (see {@code DpSgdTrainer}). */
    public SparkTrainerBuilder journalReservation(long steps) {
        this.journalReservation = Checks.positive("journalReservation", steps);
        return this;
    }

    /**
     * Where Spark keeps each partition's merged examples between steps; {@code MEMORY_ONLY} by default
     * (fastest). {@code MEMORY_AND_DISK} for data larger than memory; {@code NONE} merges them again every
     * step (for data the caller already caches).
     */
    public SparkTrainerBuilder storageLevel(StorageLevel level) {
        this.storageLevel = Checks.notNull("level", level);
        return this;
    }

    /** The depth of {@code treeAggregate} merging the partition sums, {@code >= 1}; 2 by default. */
    public SparkTrainerBuilder aggregationDepth(int depth) {
        this.aggregationDepth = Checks.positive("aggregationDepth", depth);
        return this;
    }

    /**
     * Validates everything, calibrates sigma if asked, then reads the data's sizes and shapes (one Spark
     * job) and checks them against the model. Nothing is spent.
     *
     * @throws IllegalArgumentException naming the setting or the data problem and what to do
     */
    public SparkDpSgdTrainer build() {
        if (data == null) {
            throw new IllegalArgumentException("data is required: call data(JavaRDD<DataSet>) or "
                    + "multiData(JavaRDD<MultiDataSet>)");
        }
        DpSgdConfig config = resolveConfig();
        return new SparkDpSgdTrainer(this, config, PrivacyLedger.empty(), 0, List.of());
    }

    DpSgdConfig resolveConfig() {
        if (l2NormClip == null) {
            throw new IllegalArgumentException("l2NormClip is required: call l2NormClip(C)");
        }
        if (sampleRate == null) {
            throw new IllegalArgumentException("sampleRate is required: call sampleRate(expectedBatchSize / N)");
        }
        if ((noiseMultiplier == null) == (targetBudget == null)) {
            throw new IllegalArgumentException("set exactly one of noiseMultiplier(sigma) and targetBudget(budget, epochs)");
        }
        if (targetBudget != null && budget != null && !budget.equals(targetBudget)) {
            throw new IllegalArgumentException("targetBudget " + targetBudget + " and budget " + budget + " differ; set one");
        }
        if (!Double.isNaN(epochs) && !Double.isNaN(targetEpochs) && epochs != targetEpochs) {
            throw new IllegalArgumentException("epochs " + epochs + " and targetBudget's epochs " + targetEpochs
                    + " differ; set the epochs once, in targetBudget(budget, epochs)");
        }
        PrivacyBudget guard = budget != null ? budget : targetBudget;
        if (guard != null && reportingDelta != null && reportingDelta != guard.delta()) {
            throw new IllegalArgumentException("reportingDelta " + reportingDelta + " differs from the budget's delta "
                    + guard.delta());
        }
        double sigma = targetBudget == null ? noiseMultiplier : NoiseCalibration.noiseMultiplier(accountant,
                targetBudget, sampleRate, StepPlan.of(sampleRate, targetEpochs).totalSteps());
        double delta = guard != null ? guard.delta() : reportingDelta != null ? reportingDelta : 1e-5;
        if (checkpointDirectory != null && DpSgdCheckpoint.exists(checkpointDirectory)) {
            throw new IllegalArgumentException("checkpoint directory " + checkpointDirectory + " already holds a "
                    + "dpsgd4j run; resume it with SparkDpSgdTrainer.resume or choose an empty directory");
        }
        return new DpSgdConfig(l2NormClip, sigma, sampleRate, SamplingMethod.POISSON, physicalBatchSize,
                nonFiniteNormPolicy, guard, accountant, delta);
    }

    /** The epochs planned for {@code fit()}, or NaN. */
    double plannedEpochs() {
        return Double.isNaN(targetEpochs) ? epochs : targetEpochs;
    }

    /** The trainer that continues the run checkpointed in {@code directory} (see {@link SparkDpSgdTrainer#resume}). */
    static SparkDpSgdTrainer resume(JavaSparkContext spark, Path directory, JavaRDD<?> data, NoiseSource noise,
                                     PrivacyListener... listeners) throws IOException {
        Checks.notNull("directory", directory);
        Checks.notNull("data", data);
        Checks.notNull("noise", noise);
        DpSgdCheckpoint checkpoint = DpSgdCheckpoint.read(directory);
        List<String> resumeWarnings = new ArrayList<>();
        PrivacyLedger ledger = PrivacyGuard.resumedLedger(directory, checkpoint.ledger(),
                checkpoint.journalReservation(), resumeWarnings);
        SparkTrainerBuilder settings = new SparkTrainerBuilder(spark, checkpoint.model());
        settings.data = data;
        settings.noise = noise;
        settings.checkpointDirectory = directory;
        settings.checkpointEverySteps = checkpoint.checkpointEverySteps();
        settings.journalReservation = checkpoint.journalReservation();
        for (PrivacyListener l : listeners) {
            settings.listener(l);
        }
        return new SparkDpSgdTrainer(settings, checkpoint.config(), ledger, checkpoint.stepsTaken(), resumeWarnings);
    }
}
