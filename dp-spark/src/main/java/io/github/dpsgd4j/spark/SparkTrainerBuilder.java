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
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
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
import java.util.function.Consumer;

/**
 * Configures a {@link SparkDpSgdTrainer}: the same privacy settings, with the same meaning and
 * checks, as dp-optimizers' {@code DpSgdTrainer.Builder} (they are handed to one and validated and
 * calibrated there), plus the Spark data (an RDD of {@code DataSet}s or {@code MultiDataSet}s, or a
 * {@code Dataset<Row>} with features and label columns), its storage and the aggregation. Sampling is always Poisson
 * (each partition's examples by independent Bernoulli draws). Layer rules of your own reach the
 * executors when they implement {@link java.io.Serializable} (see {@link #layerRules}).
 */
public final class SparkTrainerBuilder {

    final JavaSparkContext spark;
    final Model model;
    /** The privacy settings, validated and calibrated by dp-optimizers (one owner of those checks). */
    private final DpSgdTrainer.Builder privacy;
    JavaRDD<?> data;
    private Dataset<Row> rows;
    private RowColumns columns;
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
        this.rows = null;
        return this;
    }

    /** The training examples of a model with several inputs or outputs: an RDD of MultiDataSets. */
    public SparkTrainerBuilder multiData(JavaRDD<MultiDataSet> data) {
        this.data = Checks.notNull("data", data);
        this.rows = null;
        return this;
    }

    /**
     * The training examples as rows of a Spark SQL {@code Dataset}, one example per row, with the columns
     * {@code "features"} and {@code "label"} ({@link RowColumns#defaults()}): see {@link #rows(Dataset, RowColumns)}.
     */
    public SparkTrainerBuilder rows(Dataset<Row> rows) {
        return rows(rows, RowColumns.defaults());
    }

    /**
     * The training examples as rows of a Spark SQL {@code Dataset}, one example per row (a model with one
     * input and one output). The features column is {@code array<float>}, {@code array<double>} or a Spark ML
     * {@code Vector} (dense or sparse) of the model's input size; the label is a class index, one-hot encoded
     * over the model's outputs (or {@code columns.classes()}), or an array or vector of the output values
     * ({@link LabelEncoding}). The rows are converted partition by partition on the executors, into the
     * model's data type, when {@link #build()} prepares the data; nothing is collected to the driver. Like an
     * RDD, the rows must be deterministic (the same rows in the same order whenever a partition is computed).
     * At {@code build()}, before anything is spent: a missing column or an unusable type, a null, a features
     * or label length that is not the model's, or a class index outside {@code [0, classes)} is refused with
     * the column, the value (with its partition and row) and what to do.
     *
     * @param rows    the examples; spark-sql (and, for vector columns, Spark ML) must be on the class path
     * @param columns which columns hold the features and the label, and what the label means
     */
    public SparkTrainerBuilder rows(Dataset<Row> rows, RowColumns columns) {
        this.rows = Checks.notNull("rows", rows);
        this.columns = Checks.notNull("columns", columns);
        this.data = null;
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
        if (data == null && rows == null) {
            throw new IllegalArgumentException("data is required: call data(JavaRDD<DataSet>), "
                    + "multiData(JavaRDD<MultiDataSet>) or rows(Dataset<Row>)");
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

    /** The training RDD: the one given, or the rows' lazy conversion (checked against the model's configuration). */
    JavaRDD<?> trainingData() {
        return rows == null ? data : RowConversion.of(spark, rows, columns, model);
    }

    /** The epochs planned for {@code fit()}, or NaN. */
    double plannedEpochs() {
        return privacy.plannedEpochs();
    }

    /** The trainer that continues the run checkpointed in {@code directory} (see {@link SparkDpSgdTrainer#resume}). */
    static SparkDpSgdTrainer resume(JavaSparkContext spark, Path directory, JavaRDD<?> data, NoiseSource noise,
                                     PrivacyListener... listeners) throws IOException {
        Checks.notNull("data", data);
        return resume(spark, directory, settings -> settings.data = data, noise, listeners);
    }

    /** As {@link #resume(JavaSparkContext, Path, JavaRDD, NoiseSource, PrivacyListener...)} with rows. */
    static SparkDpSgdTrainer resume(JavaSparkContext spark, Path directory, Dataset<Row> rows, RowColumns columns,
                                    NoiseSource noise, PrivacyListener... listeners) throws IOException {
        Checks.notNull("rows", rows);
        Checks.notNull("columns", columns);
        return resume(spark, directory, settings -> settings.rows(rows, columns), noise, listeners);
    }

    private static SparkDpSgdTrainer resume(JavaSparkContext spark, Path directory, Consumer<SparkTrainerBuilder> data,
                                            NoiseSource noise, PrivacyListener... listeners) throws IOException {
        Checks.notNull("directory", directory);
        Checks.notNull("noise", noise);
        DpSgdCheckpoint checkpoint = DpSgdCheckpoint.read(directory);
        List<String> resumeWarnings = new ArrayList<>();
        PrivacyLedger ledger = PrivacyGuard.resumedLedger(directory, checkpoint.ledger(),
                checkpoint.journalReservation(), resumeWarnings);
        SparkTrainerBuilder settings = new SparkTrainerBuilder(spark, checkpoint.model());
        data.accept(settings);
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
