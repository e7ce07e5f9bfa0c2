package io.github.dpsgd4j.spark;

import io.github.dpsgd4j.accounting.AccountantType;
import io.github.dpsgd4j.accounting.PrivacyBudget;
import io.github.dpsgd4j.accounting.PrivacyLedger;
import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.core.clip.NonFiniteNormPolicy;
import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.optimizers.DpSgdCheckpoint;
import io.github.dpsgd4j.optimizers.DpSgdConfig;
import io.github.dpsgd4j.optimizers.PrivacyGuard;
import io.github.dpsgd4j.optimizers.PrivacyListener;
import io.github.dpsgd4j.optimizers.DpSgdTrainer;
import io.github.dpsgd4j.optimizers.pergradient.LayerRules;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Configures a {@link SparkDpSgdTrainer}: the same privacy settings, with the same meaning and
 * checks, as dp-optimizers' {@code DpSgdTrainer.Builder} (they are handed to one and validated and
 * calibrated there), plus the Spark data, its storage and the aggregation. Sampling is always Poisson
 * (each partition's examples by independent Bernoulli draws). Layer rules of your own reach the
 * executors when they implement {@link java.io.Serializable} (see {@link #layerRules}).
 */
public final class SparkTrainerBuilder {

    final JavaSparkContext spark;
    final Model model;
    /** The privacy settings, validated and calibrated by dp-optimizers (one owner of those checks). */
    private final DpSgdTrainer.Builder privacy;
    JavaRDD<?> data;
    LayerRules layerRules = LayerRules.defaults();
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
        this.privacy = model instanceof ComputationGraph g ? DpSgdTrainer.builder(g)
                : model instanceof MultiLayerNetwork n ? DpSgdTrainer.builder(n) : null;
        if (privacy == null) {
            throw new IllegalArgumentException("model must be a MultiLayerNetwork or a ComputationGraph, got "
                    + model.getClass().getName());
        }
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
        privacy.l2NormClip(l2NormClip);
        return this;
    }

    /** sigma, noise standard deviation over C; finite and >= 0. Or use {@link #targetBudget}. */
    public SparkTrainerBuilder noiseMultiplier(double noiseMultiplier) {
        privacy.noiseMultiplier(noiseMultiplier);
        return this;
    }

    /** q, the Poisson sampling rate (expected batch size / N); required, in (0, 1]. */
    public SparkTrainerBuilder sampleRate(double sampleRate) {
        privacy.sampleRate(sampleRate);
        return this;
    }

    /** Calibrates sigma so that {@code epochs} epochs spend exactly {@code budget}, guards it, and plans them. */
    public SparkTrainerBuilder targetBudget(PrivacyBudget budget, double epochs) {
        privacy.targetBudget(budget, epochs);
        return this;
    }

    /** The epochs {@link SparkDpSgdTrainer#fit()} runs when sigma is given directly; finite, > 0. */
    public SparkTrainerBuilder epochs(double epochs) {
        privacy.epochs(epochs);
        return this;
    }

    /** A budget training must never exceed: it stops before the step that would. */
    public SparkTrainerBuilder budget(PrivacyBudget budget) {
        privacy.budget(budget);
        return this;
    }

    /** The largest micro-batch an executor runs through its model at once (memory only); 256 by default. */
    public SparkTrainerBuilder physicalBatchSize(int size) {
        privacy.physicalBatchSize(size);
        return this;
    }

    /** What happens to an example whose gradient norm is NaN or infinite; SKIP by default. */
    public SparkTrainerBuilder nonFiniteNormPolicy(NonFiniteNormPolicy policy) {
        privacy.nonFiniteNormPolicy(policy);
        return this;
    }

    /** The accountant for reports, calibration and the budget guard; PLD by default. */
    public SparkTrainerBuilder accountant(AccountantType accountant) {
        privacy.accountant(accountant);
        return this;
    }

    /** The delta for epsilon reports; the budget's delta, else 1e-5. */
    public SparkTrainerBuilder reportingDelta(double delta) {
        privacy.reportingDelta(delta);
        return this;
    }

    /**
     * The layer rules, on the driver and on every executor ({@link LayerRules#defaults()} by default), e.g.
     * {@code LayerRules.defaults().withFirst(new MyLayerRule())}. The built-in rules are re-created on the
     * executors; a rule of your own travels serialised, so its class must implement {@link java.io.Serializable}
     * and be on the executors' class path (in the application jar). Checked at {@link #build()}.
     */
    public SparkTrainerBuilder layerRules(LayerRules rules) {
        this.layerRules = Checks.notNull("rules", rules);
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
        if (checkpointDirectory != null && DpSgdCheckpoint.exists(checkpointDirectory)) {
            throw new IllegalArgumentException("checkpoint directory " + checkpointDirectory + " already holds a "
                    + "dpsgd4j run; resume it with SparkDpSgdTrainer.resume or choose an empty directory");
        }
        return privacy.validatedConfig();
    }

    /** The epochs planned for {@code fit()}, or NaN. */
    double plannedEpochs() {
        return privacy.plannedEpochs();
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
