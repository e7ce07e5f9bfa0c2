package io.github.dpsgd4j.optimizers;

import io.github.dpsgd4j.accounting.AccountantType;
import io.github.dpsgd4j.accounting.PrivacyBudgetExceededException;
import io.github.dpsgd4j.accounting.PrivacyGuarantee;
import io.github.dpsgd4j.accounting.PrivacyLedger;
import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.optimizers.engine.ClippedSum;
import io.github.dpsgd4j.optimizers.engine.GradientEngine;
import io.github.dpsgd4j.optimizers.model.ComputationGraphAdapter;
import io.github.dpsgd4j.optimizers.model.ExampleSet;
import io.github.dpsgd4j.optimizers.model.ModelAdapter;
import io.github.dpsgd4j.optimizers.model.MultiLayerNetworkAdapter;
import io.github.dpsgd4j.optimizers.pergradient.LayerRules;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Trains a DL4J {@link MultiLayerNetwork} or {@link ComputationGraph} with DP-SGD (Abadi et al. 2016, "Deep learning with
 * differential privacy", arXiv:1607.00133) and keeps the privacy ledger of the run.
 *
 * <p>The network's configuration and its updater (Sgd, Adam, Nesterovs...) stay the user's. The
 * trainer orchestrates the named parts of one private step:
 * <ol>
 *   <li>{@link PrivacyGuard}: refuse the step if it would exceed the budget, then record it in the
 *       ledger (and, with checkpoints, in the on-disk journal) before anything derived from it is
 *       visible;</li>
 *   <li>sampling (dp-core): every example independently with probability q (secure randomness);
 *       the batch may be empty;</li>
 *   <li>{@link GradientEngine}: per micro-batch, a {@link ClippedSum} of the clipped per-example
 *       gradients through the {@link ModelAdapter} and its layer rules; the sums merge;</li>
 *   <li>{@link NoiseAndNormalisation}: Gaussian noise N(0, (sigma C)^2) on every trainable
 *       coordinate, then division by the <em>expected</em> batch size q N;</li>
 *   <li>the adapter's update through DL4J's own updater, exactly as {@code fit()} would.</li>
 * </ol>
 * {@link StepPlan} owns the epochs-to-steps arithmetic; the package-private {@code TrainingLoop} runs the
 * epochs and {@code RunPersistence} keeps checkpoints, the journal and resumes.
 *
 * <p>The guarantee: (epsilon, delta)-differential privacy of the trained parameters (and of every
 * intermediate model) with respect to adding or removing one training example, as certified by the
 * configured accountant from the ledger. What is <em>not</em> covered: the loss values reported to
 * listeners and logs (computed on private data), data-dependent preprocessing done before training,
 * and hyperparameter searches over the same data.
 *
 * <p>Not thread-safe: a trainer drives its network's state; use one thread.
 */
public final class DpSgdTrainer {

    private final ModelAdapter model;
    private final DpSgdConfig config;
    private final NoiseSource noise;
    private final PrivateStep step;
    private final PrivacyGuard guard;
    private final List<PrivacyListener> listeners;
    private final RunPersistence persistence;
    /** Epochs planned at build time (targetBudget or epochs), or NaN. */
    private final double plannedEpochs;
    /** Warnings raised when resuming (steps counted from the journal), before the step's own. */
    private final List<String> resumeWarnings;
    private final StepDataCache stepData;
    private final TrainingLoop loop;

    private DpSgdTrainer(Model network, LayerRules rules, DpSgdConfig config, NoiseSource noise,
                         List<PrivacyListener> listeners, RunPersistence persistence, PrivacyLedger ledger,
                         long stepsTaken, double plannedEpochs, List<String> resumeWarnings) {
        this.model = network instanceof ComputationGraph graph ? new ComputationGraphAdapter(graph, rules)
                : new MultiLayerNetworkAdapter((MultiLayerNetwork) network, rules);
        this.config = config;
        this.noise = noise;
        this.listeners = List.copyOf(listeners);
        this.persistence = persistence;
        this.plannedEpochs = plannedEpochs;
        this.resumeWarnings = List.copyOf(resumeWarnings);
        this.guard = new PrivacyGuard(config, ledger, persistence.directory(), persistence.journalReservation());
        this.step = new PrivateStep(model, config, guard, noise);
        this.stepData = new StepDataCache(model);
        this.loop = new TrainingLoop(model, config, step, guard, persistence, noise, this.listeners, this::warnings,
                stepsTaken);
        for (String warning : warnings()) {
            for (PrivacyListener l : this.listeners) {
                l.onWarning(warning);
            }
        }
    }

    /** Starts configuring private training of {@code net} (initialised with {@code net.init()}). */
    public static Builder builder(MultiLayerNetwork net) {
        return new Builder(net);
    }

    /**
     * Continues training a model saved by {@link #saveModel(Path)}: the new trainer's ledger starts with
     * every step already in the file's ledger, so epsilon is reported for the whole training. Clip norm,
     * sample rate, sampling method, batch settings, accountant and budget start as saved (each can be
     * set again); the noise must be set again ({@code noiseMultiplier} or {@code targetBudget}; a target
     * budget calibrates for the new steps only, and the budget guard then counts the saved steps too).
     */
    public static Builder builder(SavedModel saved) {
        return new Builder(saved);
    }

    /**
     * Starts configuring private training of {@code graph} (initialised with {@code graph.init()}):
     * several inputs and outputs, every vertex DL4J ships, frozen parts as {@code fit()} treats them.
     */
    public static Builder builder(ComputationGraph graph) {
        return new Builder(graph);
    }

    // ---------------------------------------------------------------- training

    /**
     * Trains for {@code epochs} epochs over {@code data} (all examples in memory: Poisson sampling
     * needs random access). An epoch is {@link StepPlan#stepsPerEpoch(double) ceil(1 / q)} steps,
     * i.e. N examples in expectation. Stops early, without error, before a step that would exceed
     * the budget.
     */
    public TrainingSummary fit(DataSet data, int epochs) {
        return loop.run(ExampleSet.of(data), steps(epochs));
    }

    /**
     * Trains for the epochs planned at build time ({@link Builder#targetBudget} or {@link Builder#epochs}):
     * {@link StepPlan#totalSteps()} steps, the last epoch partial for a fraction; stops before a step that
     * would exceed the budget.
     * @throws IllegalStateException if no epochs were planned
     */
    public TrainingSummary fit(DataSet data) {
        return loop.run(ExampleSet.of(data), plannedSteps());
    }

    /**
     * As {@link #fit(DataSet, int)} for a model with several inputs or outputs (a
     * {@code ComputationGraph}): features, labels and masks in the order of the graph's inputs and
     * outputs.
     */
    public TrainingSummary fit(MultiDataSet data, int epochs) {
        return loop.run(ExampleSet.of(data), steps(epochs));
    }

    /** As {@link #fit(DataSet)} (the planned epochs) for a {@link MultiDataSet}. */
    public TrainingSummary fit(MultiDataSet data) {
        return loop.run(ExampleSet.of(data), plannedSteps());
    }

    /** As {@link #fit(DataSetIterator, int)} for several inputs or outputs. */
    public TrainingSummary fit(MultiDataSetIterator data, int epochs) {
        return loop.run(ExampleSet.of(data), steps(epochs));
    }

    private long steps(int epochs) {
        return StepPlan.of(config.sampleRate(), Checks.nonNegative("epochs", epochs)).totalSteps();
    }

    private long plannedSteps() {
        if (Double.isNaN(plannedEpochs)) {
            throw new IllegalStateException("no epochs were planned: call fit(data, epochs), or build with "
                    + "targetBudget(budget, epochs) or epochs(epochs)");
        }
        return StepPlan.of(config.sampleRate(), plannedEpochs).totalSteps();
    }

    /**
     * Trains on every example the iterator yields, gathered into memory first (Poisson sampling
     * needs random access to the whole training set; the iterator's own batching is not used).
     */
    public TrainingSummary fit(DataSetIterator data, int epochs) {
        return loop.run(ExampleSet.of(data), steps(epochs));
    }

    /**
     * Takes one private step with a fresh Poisson sample of {@code data}.
     *
     * @throws PrivacyBudgetExceededException if the step would exceed the budget (nothing happens)
     */
    public StepReport step(DataSet data) {
        Checks.notNull("data", data);
        return step(data, null);
    }

    /**
     * As {@link #step(DataSet)} for a model with several inputs or outputs.
     *
     * @throws PrivacyBudgetExceededException if the step would exceed the budget (nothing happens)
     */
    public StepReport step(MultiDataSet data) {
        Checks.notNull("data", data);
        return step(null, data);
    }

    private StepReport step(DataSet single, MultiDataSet multi) {
        Optional<String> refusal = guard.refusal();
        if (refusal.isPresent()) {
            throw new PrivacyBudgetExceededException(config.budget(), Double.NaN, refusal.get());
        }
        ExampleSet examples = single != null ? stepData.of(single) : stepData.of(multi);
        return loop.poissonStep(examples);
    }

    /**
     * The privacy spent so far (every recorded step, including a step refused or lost to a crash
     * after it was recorded), certified by the configured accountant.
     *
     * @param delta in (0, 1)
     */
    public PrivacyGuarantee privacySpent(double delta) {
        return privacySpent(delta, config.accountant());
    }

    /** As {@link #privacySpent(double)}, with the given accountant. */
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

    /**
     * The network being trained (the same object that was passed in).
     *
     * @throws IllegalStateException if the model is a {@code ComputationGraph} (use {@link #graph()})
     */
    public MultiLayerNetwork network() {
        if (model.model() instanceof MultiLayerNetwork net) {
            return net;
        }
        throw new IllegalStateException("this trainer trains a ComputationGraph: use graph() or model()");
    }

    /**
     * The graph being trained (the same object that was passed in).
     *
     * @throws IllegalStateException if the model is a {@code MultiLayerNetwork} (use {@link #network()})
     */
    public ComputationGraph graph() {
        if (model.model() instanceof ComputationGraph graph) {
            return graph;
        }
        throw new IllegalStateException("this trainer trains a MultiLayerNetwork: use network() or model()");
    }

    /** The model being trained, whatever its kind. */
    public Model model() {
        return model.model();
    }

    /** Steps whose update has been applied, over the whole run (resumes included). */
    public long stepsTaken() {
        return loop.stepsTaken();
    }

    /**
     * The warnings that matter for privacy or speed (no noise, seeded noise, shuffled batches whose epsilon
     * is not a proven bound, the slow exact per-example loop), in order; also logged (SLF4J, WARN) and
     * sent to {@link PrivacyListener#onWarning}. Readable without a logging backend. Immutable.
     */
    public List<String> warnings() {
        List<String> all = new java.util.ArrayList<>(resumeWarnings);
        all.addAll(step.warnings());
        return List.copyOf(all);
    }

    /** How per-example gradients are computed for this network. */
    public GradientEngine.Strategy strategy() {
        return step.strategy();
    }

    /** The step plan of {@link #fit(DataSet)}, if epochs were planned at build time. */
    public Optional<StepPlan> plan() {
        return Double.isNaN(plannedEpochs) ? Optional.empty()
                : Optional.of(StepPlan.of(config.sampleRate(), plannedEpochs));
    }

    // ---------------------------------------------------------------- checkpoints

    /**
     * Writes a checkpoint to {@code directory/checkpoint.zip} atomically: the model with its
     * updater state, the privacy ledger, the step and epoch counters and the configuration.
     */
    public void saveCheckpoint(Path directory) throws IOException {
        persistence.save(directory, model.model(), config, guard.ledger(), loop.stepsTaken(), noise.isSecure());
    }

    /**
     * Saves the model with its updater state and this run's privacy ledger and configuration to one
     * zip, atomically. DL4J reads it as usual ({@code ModelSerializer.restoreMultiLayerNetwork} or
     * {@code restoreComputationGraph}); {@link SavedModel#read(Path)} and {@link #builder(SavedModel)}
     * continue the ledger. A model saved with {@code ModelSerializer} alone has no ledger: a trainer
     * built on it starts a new accounting, which under-reports the privacy spent.
     */
    public void saveModel(Path file) throws IOException {
        SavedModel.write(file, model.model(), guard.ledger(), config);
    }

    /**
     * Resumes a run from a checkpoint directory written by {@link #saveCheckpoint} or by a trainer
     * built with {@link Builder#checkpoints}: the network, its updater state, the configuration and
     * the ledger. Steps reserved in the directory's journal after the checkpoint (a crash between
     * checkpoints) are counted as spent, so the resumed ledger never reports less than was spent.
     *
     * @param noise the noise source for the rest of the run (seeds are never stored)
     * @param listeners listeners for the rest of the run
     * @throws IOException              if the checkpoint cannot be read
     * @throws IllegalArgumentException if the checkpoint has no privacy ledger
     */
    public static DpSgdTrainer resume(Path directory, NoiseSource noise, PrivacyListener... listeners)
            throws IOException {
        Checks.notNull("noise", noise);
        RunPersistence.Resumed resumed = RunPersistence.resume(directory);
        DpSgdCheckpoint checkpoint = resumed.checkpoint();
        return new DpSgdTrainer(checkpoint.model(), LayerRules.defaults(), checkpoint.config(), noise,
                List.of(listeners), resumed.persistence(), resumed.ledger(), checkpoint.stepsTaken(), Double.NaN,
                resumed.warnings());
    }

    /** Resumes with secure noise; see {@link #resume(Path, NoiseSource, PrivacyListener...)}. */
    public static DpSgdTrainer resume(Path directory, PrivacyListener... listeners) throws IOException {
        return resume(directory, NoiseSource.secure(), listeners);
    }

    // ---------------------------------------------------------------- builder

    /** Configures a {@link DpSgdTrainer}; see {@link DpSgdTrainer#builder} and the setters of {@link TrainerSettings}. */
    public static final class Builder extends TrainerSettings {

        private Builder(Model net) {
            super(net);
        }

        private Builder(SavedModel saved) {
            super(saved);
        }

        /** Validates everything and builds the trainer (calibrating sigma first if asked). */
        public DpSgdTrainer build() {
            DpSgdConfig config = resolveConfig();
            RunPersistence persistence = checkpointDirectory == null ? RunPersistence.NONE
                    : new RunPersistence(checkpointDirectory, checkpointEverySteps, journalReservation);
            List<String> warnings = new java.util.ArrayList<>();
            PrivacyLedger ledger = persistence.startingLedger(initialLedger, warnings);
            return new DpSgdTrainer(net, layerRules, config, noiseSourceOrSecure(), listeners, persistence, ledger, 0,
                    plannedEpochs(), warnings);
        }
    }
}
