package io.github.dpsgd4j.spark;

import io.github.dpsgd4j.accounting.AccountantType;
import io.github.dpsgd4j.accounting.PrivacyBudgetExceededException;
import io.github.dpsgd4j.accounting.PrivacyGuarantee;
import io.github.dpsgd4j.accounting.PrivacyLedger;
import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.optimizers.DpSgdCheckpoint;
import io.github.dpsgd4j.optimizers.DpSgdConfig;
import io.github.dpsgd4j.optimizers.EpochReport;
import io.github.dpsgd4j.optimizers.NoiseAndNormalisation;
import io.github.dpsgd4j.optimizers.PrivacyGuard;
import io.github.dpsgd4j.optimizers.PrivacyListener;
import io.github.dpsgd4j.optimizers.StepPlan;
import io.github.dpsgd4j.optimizers.StepReport;
import io.github.dpsgd4j.optimizers.TrainingSummary;
import io.github.dpsgd4j.optimizers.engine.ClippedSum;
import io.github.dpsgd4j.optimizers.model.ComputationGraphAdapter;
import io.github.dpsgd4j.optimizers.model.ModelAdapter;
import io.github.dpsgd4j.optimizers.model.MultiLayerNetworkAdapter;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * DP-SGD on Apache Spark: the private step of dp-optimizers' {@code DpSgdTrainer} with the clipped
 * sum computed by the executors (see the package description for the protocol). The driver alone
 * holds the model and its updater state, the {@link PrivacyGuard} (ledger, budget, write-ahead
 * journal) and the {@link NoiseSource}; each step it
 * <ol>
 *   <li>refuses the step if it would exceed the budget, else records it (journal first);</li>
 *   <li>broadcasts the parameters and a fresh step key (a Spark broadcast per step, destroyed after);</li>
 *   <li>runs one job: every partition Poisson-samples its examples at rate q with the generator keyed by
 *       (step key, partition) and returns the clipped sum of its sample ({@link StepTask});
 *       {@code treeAggregate} merges them;</li>
 *   <li>adds N(0, (sigma C)^2) once to every trainable coordinate, divides by q N
 *       ({@link NoiseAndNormalisation}) and applies the model's DL4J updater ({@link ModelAdapter#applyUpdate}).</li>
 * </ol>
 * The ledger, the accountant, the budget guard, listeners and checkpoints are dp-optimizers' own, so
 * a checkpoint written here resumes in {@code DpSgdTrainer} and vice versa. A step whose Spark job
 * fails after it was recorded stays counted (erring toward privacy) and the update is not applied.
 *
 * <p>Not thread-safe: one driver thread. Close it to release the cached data.
 */
public final class SparkDpSgdTrainer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SparkDpSgdTrainer.class);

    private final JavaSparkContext spark;
    private final ModelAdapter model;
    private final DpSgdConfig config;
    private final NoiseSource noise;
    private final PrivacyGuard guard;
    private final NoiseAndNormalisation noising;
    private final SparkTrainingData data;
    private final ModelBlueprint blueprint;
    private final Broadcast<RunConstants> runConstants;
    private final List<PrivacyListener> listeners;
    private final Path checkpointDirectory;
    private final long checkpointEverySteps;
    private final long journalReservation;
    private final int aggregationDepth;
    private final double plannedEpochs;
    private final List<String> warnings = new ArrayList<>();
    private long stepsTaken;
    private StepTimings lastTimings;
    private byte[] lastStepKey;

    SparkDpSgdTrainer(SparkTrainerBuilder settings, DpSgdConfig config, PrivacyLedger ledger, long stepsTaken,
                      List<String> resumeWarnings) {
        this.spark = settings.spark;
        Model network = settings.model;
        ExecutorRules rules = ExecutorRules.of(settings.layerRules); // refuses a rule that cannot reach the executors
        this.model = network instanceof ComputationGraph g ? new ComputationGraphAdapter(g, rules.rules())
                : new MultiLayerNetworkAdapter((MultiLayerNetwork) network, rules.rules());
        NoiseAndNormalisation.requireRepresentable(config, model.gradientView().dataType());
        this.config = config;
        this.noise = settings.noise != null ? settings.noise : NoiseSource.secure();
        this.listeners = List.copyOf(settings.listeners);
        this.checkpointDirectory = settings.checkpointDirectory;
        this.checkpointEverySteps = settings.checkpointEverySteps;
        this.journalReservation = settings.journalReservation;
        this.aggregationDepth = settings.aggregationDepth;
        this.plannedEpochs = settings.plannedEpochs();
        this.stepsTaken = stepsTaken;
        this.blueprint = ModelBlueprint.of(network);
        this.noising = new NoiseAndNormalisation(noise, config.noiseStandardDeviation(), model.trainableRanges());
        this.data = SparkTrainingData.prepare(settings.trainingData(), settings.storageLevel);
        try {
            ModelDataCheck.check(model, data);
        } catch (IllegalArgumentException e) {
            data.release();
            throw e;
        }
        this.guard = new PrivacyGuard(config, ledger, checkpointDirectory, journalReservation);
        this.runConstants = spark.broadcast(new RunConstants(blueprint, rules, config.l2NormClip(),
                config.nonFiniteNormPolicy(), config.sampleRate(), config.physicalBatchSize()));
        warnings.addAll(resumeWarnings);
        if (!model.layersWithoutRule().isEmpty()) {
            warnings.add("no per-example gradient rule for " + model.layersWithoutRule() + ": executors use the exact "
                    + "per-example loop, which is much slower");
        }
        if (!config.isPrivate()) {
            warnings.add("noise multiplier is 0: this run is NOT differentially private (epsilon is infinite)");
        }
        if (!noise.isSecure()) {
            warnings.add("seeded noise source: the noise and sampling are reproducible, NOT secure; for experiments only");
        }
        for (String warning : warnings) {
            log.warn(warning);
            for (PrivacyListener l : listeners) {
                l.onWarning(warning);
            }
        }
        log.info("DP-SGD on Spark: {} ; clip C = {}, sigma = {}, q = {}", data, config.l2NormClip(),
                config.noiseMultiplier(), config.sampleRate());
    }

    /** Starts configuring private training of {@code net} on Spark. */
    public static SparkTrainerBuilder builder(JavaSparkContext spark, MultiLayerNetwork net) {
        return new SparkTrainerBuilder(spark, net);
    }

    /** Starts configuring private training of {@code graph} on Spark. */
    public static SparkTrainerBuilder builder(JavaSparkContext spark, ComputationGraph graph) {
        return new SparkTrainerBuilder(spark, graph);
    }

    // ---------------------------------------------------------------- training

    /** Trains {@code epochs} epochs ({@link StepPlan}); stops early, without error, before a step that would exceed the budget. */
    public TrainingSummary fit(int epochs) {
        return run(StepPlan.of(config.sampleRate(), Checks.nonNegative("epochs", epochs)).totalSteps());
    }

    /**
     * Trains the epochs planned at build time (targetBudget or epochs).
     *
     * @throws IllegalStateException if none were planned
     */
    public TrainingSummary fit() {
        if (Double.isNaN(plannedEpochs)) {
            throw new IllegalStateException("no epochs were planned: call fit(epochs), or build with "
                    + "targetBudget(budget, epochs) or epochs(epochs)");
        }
        return run(StepPlan.of(config.sampleRate(), plannedEpochs).totalSteps());
    }

    private TrainingSummary run(long totalSteps) {
        long stepsPerEpoch = StepPlan.stepsPerEpoch(config.sampleRate());
        long stepsAtStart = stepsTaken;
        long done = 0;
        int epochsDone = 0;
        while (done < totalSteps) {
            long steps = Math.min(stepsPerEpoch, totalSteps - done);
            int epoch = model.epochCount();
            model.epochStarted();
            double loss = 0;
            long examples = 0;
            long clipped = 0;
            for (long s = 0; s < steps; s++) {
                Optional<String> refusal = guard.refusal();
                if (refusal.isPresent()) {
                    log.warn(refusal.get());
                    for (PrivacyListener l : listeners) {
                        l.onBudgetExhausted(refusal.get());
                    }
                    saveCheckpointIfConfigured();
                    return new TrainingSummary(stepsTaken - stepsAtStart, epochsDone, refusal, warnings());
                }
                StepReport report = takeStep(epoch);
                if (report.batchSize() > 0) {
                    loss += report.meanLoss() * report.batchSize();
                    examples += report.batchSize();
                    clipped += report.clippedExamples();
                }
                done++;
                if (checkpointEverySteps > 0 && stepsTaken % checkpointEverySteps == 0) {
                    saveCheckpointIfConfigured();
                }
            }
            model.epochEnded();
            epochsDone++;
            if (!listeners.isEmpty()) {
                EpochReport report = new EpochReport(epoch, stepsTaken, privacySpent(config.reportingDelta()),
                        examples == 0 ? Double.NaN : loss / examples, examples == 0 ? 0 : (double) clipped / examples);
                for (PrivacyListener l : listeners) {
                    l.onEpochEnd(report);
                }
            }
            saveCheckpointIfConfigured();
        }
        return new TrainingSummary(stepsTaken - stepsAtStart, epochsDone, Optional.empty(), warnings());
    }

    /**
     * Takes one private step with a fresh Poisson sample of the whole RDD.
     *
     * @throws PrivacyBudgetExceededException if the step would exceed the budget (nothing happens)
     */
    public StepReport step() {
        Optional<String> refusal = guard.refusal();
        if (refusal.isPresent()) {
            throw new PrivacyBudgetExceededException(config.budget(), Double.NaN, refusal.get());
        }
        return takeStep(model.epochCount());
    }

    private StepReport takeStep(int epoch) {
        guard.recordStep(); // ledger and journal before anything derived from this step exists
        long start = System.nanoTime();
        byte[] stepKey = SampleKeys.stepKey(noise);
        lastStepKey = stepKey;
        ParameterVector parameters = ParameterVector.of(model.model().params());
        Broadcast<ParameterVector> broadcast = spark.broadcast(parameters);
        long broadcastDone = System.nanoTime();
        PartialSum total;
        try {
            StepTask task = task(broadcast, stepKey);
            total = SparkErrors.unwrap(() -> data.blocks().mapPartitionsWithIndex(task, true)
                    .treeAggregate(PartialSum.empty(), PartialSum.MERGE, PartialSum.MERGE, aggregationDepth));
        } finally {
            broadcast.destroy();
        }
        long jobDone = System.nanoTime();
        INDArray view = model.gradientView();
        ClippedSum sum = total.toClippedSum(view.dataType(), view.length());
        noising.noisyAverage(sum, view, config.sampleRate() * data.size());
        sum.sum().close(); // copied into the gradient view: released now rather than by the garbage collector
        int batchSize = total.examples();
        model.applyUpdate(batchSize == 0 ? Double.NaN : sum.summedLoss() / batchSize);
        NoiseAndNormalisation.requireFiniteParameters(model.model().params());
        stepsTaken++;
        long end = System.nanoTime();
        lastTimings = new StepTimings(broadcastDone - start, jobDone - broadcastDone, end - jobDone,
                parameters.bytes(), parameters.bytes() * data.partitions());
        StepReport report = new StepReport(stepsTaken, epoch, batchSize,
                batchSize == 0 ? Double.NaN : sum.summedLoss() / batchSize, sum.stats().clippedCount(),
                sum.stats().nonFiniteCount());
        for (PrivacyListener l : listeners) {
            l.onStep(report);
        }
        return report;
    }

    /** The function shipped to the executors for one step: two broadcast handles (run, parameters) and the key. */
    StepTask task(Broadcast<ParameterVector> parameters, byte[] stepKey) {
        return new StepTask(runConstants, parameters, stepKey);
    }

    /** The key of the last step's sampling (for tests that recompute its sample), or null. */
    byte[] lastStepKey() {
        return lastStepKey == null ? null : lastStepKey.clone();
    }

    // ---------------------------------------------------------------- state

    /** The privacy spent so far (every recorded step), by the configured accountant. @param delta in (0, 1) */
    public PrivacyGuarantee privacySpent(double delta) {
        return guard.spent(delta, config.accountant());
    }

    /** As {@link #privacySpent(double)} with the given accountant. */
    public PrivacyGuarantee privacySpent(double delta, AccountantType accountant) {
        return guard.spent(delta, accountant);
    }

    /** The ledger of every step recorded so far. Immutable. */
    public PrivacyLedger ledger() {
        return guard.ledger();
    }

    /** The privacy settings. */
    public DpSgdConfig config() {
        return config;
    }

    /** The driver's model (the object passed in, or the one restored by {@link #resume}). */
    public Model model() {
        return model.model();
    }

    /** Steps whose update was applied, over the whole run (resumes included). */
    public long stepsTaken() {
        return stepsTaken;
    }

    /** N, the number of training examples in the RDD. */
    public long trainingSetSize() {
        return data.size();
    }

    /** Number of partitions of the training RDD. */
    public int partitions() {
        return data.partitions();
    }

    /** Where the time of the last step went, if a step was taken. */
    public Optional<StepTimings> lastStepTimings() {
        return Optional.ofNullable(lastTimings);
    }

    /** The warnings that matter for privacy or speed, in order; also logged and sent to listeners. Immutable. */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** The step plan of {@link #fit()}, if epochs were planned at build time. */
    public Optional<StepPlan> plan() {
        return Double.isNaN(plannedEpochs) ? Optional.empty() : Optional.of(StepPlan.of(config.sampleRate(), plannedEpochs));
    }

    /** Releases the cached partitions and (in local mode) the executors' model copies. */
    @Override
    public void close() {
        data.release();
        runConstants.destroy();
        ExecutorModels.forget(blueprint.runId());
    }

    // ---------------------------------------------------------------- checkpoints

    /** Writes a checkpoint (the format of {@code DpSgdTrainer.saveCheckpoint}) to {@code directory/checkpoint.zip}. */
    public void saveCheckpoint(Path directory) throws IOException {
        Checks.notNull("directory", directory);
        DpSgdCheckpoint.write(directory, model.model(), config, guard.ledger(), stepsTaken, checkpointEverySteps,
                journalReservation, directory.equals(checkpointDirectory), noise.isSecure());
    }

    private void saveCheckpointIfConfigured() {
        if (checkpointDirectory == null) {
            return;
        }
        try {
            saveCheckpoint(checkpointDirectory);
            guard.checkpointed();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint to " + checkpointDirectory, e);
        }
    }

    /**
     * Resumes a run from a checkpoint directory (written by this class or by {@code DpSgdTrainer}): the model,
     * its updater state, the configuration and the ledger; steps the journal reserved after the checkpoint
     * count as spent.
     *
     * @param data the same training data, deterministic
     * @param noise the driver's randomness for the rest of the run
     * @throws IOException if the checkpoint cannot be read
     */
    public static SparkDpSgdTrainer resume(JavaSparkContext spark, Path directory, JavaRDD<DataSet> data,
                                           NoiseSource noise, PrivacyListener... listeners) throws IOException {
        return SparkTrainerBuilder.resume(spark, directory, data, noise, listeners);
    }

    /**
     * As {@link #resume(JavaSparkContext, Path, JavaRDD, NoiseSource, PrivacyListener...)} for rows of a Spark
     * SQL {@code Dataset} (see {@link SparkTrainerBuilder#rows(Dataset, RowColumns)}): the same rows, in the same
     * order, with the same columns.
     */
    public static SparkDpSgdTrainer resumeRows(JavaSparkContext spark, Path directory, Dataset<Row> rows,
                                               RowColumns columns, NoiseSource noise, PrivacyListener... listeners)
            throws IOException {
        return SparkTrainerBuilder.resume(spark, directory, rows, columns, noise, listeners);
    }

    /** As {@link #resume(JavaSparkContext, Path, JavaRDD, NoiseSource, PrivacyListener...)} for MultiDataSets. */
    public static SparkDpSgdTrainer resumeMulti(JavaSparkContext spark, Path directory, JavaRDD<MultiDataSet> data,
                                                NoiseSource noise, PrivacyListener... listeners) throws IOException {
        return SparkTrainerBuilder.resume(spark, directory, data, noise, listeners);
    }
}
