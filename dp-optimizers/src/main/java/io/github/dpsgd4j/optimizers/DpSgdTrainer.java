package io.github.dpsgd4j.optimizers;

import io.github.dpsgd4j.accounting.AccountantType;
import io.github.dpsgd4j.accounting.Checks;
import io.github.dpsgd4j.accounting.NoiseCalibration;
import io.github.dpsgd4j.accounting.PrivacyBudget;
import io.github.dpsgd4j.accounting.PrivacyBudgetExceededException;
import io.github.dpsgd4j.accounting.PrivacyGuarantee;
import io.github.dpsgd4j.accounting.PrivacyLedger;
import io.github.dpsgd4j.core.clip.ClipFactors;
import io.github.dpsgd4j.core.clip.NonFiniteNormPolicy;
import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.core.sampling.PoissonSampler;
import io.github.dpsgd4j.optimizers.pergradient.MicroBatchResult;
import io.github.dpsgd4j.optimizers.pergradient.PrivateBackprop;
import io.github.dpsgd4j.optimizers.pergradient.StepWorkspace;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.optimize.solvers.BaseOptimizer;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Trains a DL4J {@link MultiLayerNetwork} with DP-SGD (Abadi et al. 2016, "Deep learning with
 * differential privacy", arXiv:1607.00133) and keeps the privacy ledger of the run.
 *
 * <p>The network's configuration and its updater (Sgd, Adam, Nesterovs...) stay the user's; one
 * private step is:
 * <ol>
 *   <li>refuse the step if it would exceed the budget, then record it in the ledger (and, with
 *       checkpoints, in the on-disk journal) before anything derived from it is visible;</li>
 *   <li>sample a logical batch: every example independently with probability q (secure
 *       randomness); it may be empty;</li>
 *   <li>per micro-batch, one forward and one backward pass that yields every example's gradient
 *       norm and the sum of clipped gradients {@code sum_i min(1, C / |g_i|) g_i};</li>
 *   <li>add Gaussian noise N(0, (sigma C)^2) to every trainable coordinate, divide by the
 *       <em>expected</em> batch size q N (never the actual size, which depends on the data);</li>
 *   <li>apply the update through DL4J's own updater, exactly as {@code fit()} would.</li>
 * </ol>
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

    private static final Logger log = LoggerFactory.getLogger(DpSgdTrainer.class);
    /** Steps reserved in the on-disk journal at a time (at most this many are over-counted after a crash). */
    private static final long JOURNAL_RESERVATION = 64;

    private final MultiLayerNetwork net;
    private final DpSgdConfig config;
    private final NoiseSource noise;
    private final PrivateBackprop backprop;
    private final List<long[]> trainableRanges;
    private final PoissonSampler sampler;
    private final org.deeplearning4j.nn.api.Updater updater;
    private final StepWorkspace updateWorkspace = new StepWorkspace("DPSGD_UPDATE");
    private final StepWorkspace batchWorkspace = new StepWorkspace("DPSGD_BATCH");
    private final List<PrivacyListener> listeners;
    private final Path checkpointDirectory;
    private final long checkpointEverySteps;

    private PrivacyLedger ledger;
    /** Steps whose update was applied, over the whole run. */
    private long stepsTaken;
    /** Steps that budget allows after the ledger's current total (-1: not computed yet). */
    private long stepsAllowed = -1;
    /** The ledger total up to which the journal has reserved steps. */
    private long journalReservedThrough;
    private CheckpointJournal journal;
    private INDArray[] lastStepArrays;
    private TrainingData lastStepTraining;
    private final INDArray clippedSum;

    private DpSgdTrainer(MultiLayerNetwork net, DpSgdConfig config, NoiseSource noise, List<PrivacyListener> listeners,
                         Path checkpointDirectory, long checkpointEverySteps, PrivacyLedger ledger, long stepsTaken) {
        this.net = net;
        this.config = config;
        this.noise = noise;
        this.listeners = List.copyOf(listeners);
        this.checkpointDirectory = checkpointDirectory;
        this.checkpointEverySteps = checkpointEverySteps;
        this.ledger = ledger;
        this.stepsTaken = stepsTaken;
        this.journalReservedThrough = ledger.totalSteps();
        NetworkValidation.validate(net);
        if (net.getGradientsViewArray() == null) {
            net.initGradientsView();
        }
        this.backprop = PrivateBackprop.forNetwork(net);
        this.trainableRanges = backprop.trainableRanges();
        this.sampler = new PoissonSampler(config.sampleRate(), noise);
        // Created here, outside any workspace: the updater allocates its persistent state now.
        this.updater = net.getUpdater();
        this.clippedSum = Nd4j.zeros(net.getGradientsViewArray().dataType(), net.getGradientsViewArray().shape());
        describeSetup();
    }

    /** Starts configuring private training of {@code net} (initialised with {@code net.init()}). */
    public static Builder builder(MultiLayerNetwork net) {
        return new Builder(net);
    }

    /**
     * Not supported yet: private training of a {@link org.deeplearning4j.nn.graph.ComputationGraph}.
     * Always throws, with what to do instead (build the model as a {@code MultiLayerNetwork}).
     *
     * @throws UnsupportedLayerException always
     */
    public static Builder builder(org.deeplearning4j.nn.graph.ComputationGraph graph) {
        throw new UnsupportedLayerException("ComputationGraph is not supported by dpsgd4j yet: its vertices (merge, "
                + "element-wise, attention, ...) have no per-example gradient rules. Build the model as a "
                + "MultiLayerNetwork (NeuralNetConfiguration.Builder().list()) to train it privately.");
    }

    private void describeSetup() {
        log.info("DP-SGD: clip C = {}, noise multiplier sigma = {}, sample rate q = {}, {} sampling, {} noise, "
                        + "per-example gradients by {}",
                config.l2NormClip(), config.noiseMultiplier(), config.sampleRate(), config.samplingMethod(),
                noise.isSecure() ? "secure" : "SEEDED (NOT SECURE: for reproducible experiments only)",
                backprop.strategy());
        if (backprop.strategy() == PrivateBackprop.Strategy.PER_EXAMPLE_LOOP) {
            log.warn("no per-example gradient rule for {}: using the exact per-example loop, which is much slower "
                    + "(about batch-size-1 speed)", backprop.layersWithoutRule());
        }
        if (config.samplingMethod() == SamplingMethod.SHUFFLED_FIXED_SIZE) {
            log.warn("fixed-size shuffled batches: the accountant assumes Poisson sampling, so the reported epsilon "
                    + "is an approximation for this run, not a proven bound");
        }
        if (!config.isPrivate()) {
            log.warn("noise multiplier is 0: this run is NOT differentially private (epsilon is infinite)");
        }
    }

    // ---------------------------------------------------------------- training

    /**
     * Trains for {@code epochs} epochs over {@code data} (all examples in memory: Poisson sampling
     * needs random access). An epoch is {@code ceil(1 / q)} steps, i.e. N examples in expectation.
     * Stops early, without error, before a step that would exceed the budget.
     */
    public TrainingSummary fit(DataSet data, int epochs) {
        Checks.notNull("data", data);
        Checks.nonNegative("epochs", epochs);
        TrainingData training = new TrainingData(data);
        long stepsPerEpoch = stepsPerEpoch();
        long stepsAtStart = stepsTaken;
        int epochsDone = 0;
        for (int e = 0; e < epochs; e++) {
            int epoch = net.getEpochCount();
            for (TrainingListener l : net.getListeners()) {
                l.onEpochStart(net);
            }
            EpochTotals totals = new EpochTotals();
            List<int[]> shuffledBatches = config.samplingMethod() == SamplingMethod.SHUFFLED_FIXED_SIZE
                    ? shuffledBatches(training.size()) : null;
            for (long s = 0; s < stepsPerEpoch; s++) {
                Optional<String> refusal = budgetRefusal();
                if (refusal.isPresent()) {
                    log.warn(refusal.get());
                    for (PrivacyListener l : listeners) {
                        l.onBudgetExhausted(refusal.get());
                    }
                    saveCheckpointIfConfigured();
                    return new TrainingSummary(stepsTaken - stepsAtStart, epochsDone, refusal);
                }
                int[] batch = shuffledBatches != null
                        ? shuffledBatches.get((int) s) : sampler.sample(training.size());
                StepReport report = takeStep(training, batch, epoch);
                totals.add(report);
                if (checkpointEverySteps > 0 && stepsTaken % checkpointEverySteps == 0) {
                    saveCheckpointIfConfigured();
                }
            }
            net.incrementEpochCount();
            for (TrainingListener l : net.getListeners()) {
                l.onEpochEnd(net);
            }
            epochsDone++;
            if (!listeners.isEmpty()) {
                EpochReport report = new EpochReport(epoch, stepsTaken, privacySpent(config.reportingDelta()),
                        totals.meanLoss(), totals.clippedFraction());
                for (PrivacyListener l : listeners) {
                    l.onEpochEnd(report);
                }
            }
            saveCheckpointIfConfigured();
        }
        return new TrainingSummary(stepsTaken - stepsAtStart, epochsDone, Optional.empty());
    }

    /**
     * Trains on every example the iterator yields, gathered into memory first (Poisson sampling
     * needs random access to the whole training set; the iterator's own batching is not used).
     */
    public TrainingSummary fit(DataSetIterator data, int epochs) {
        Checks.notNull("data", data);
        List<DataSet> parts = new ArrayList<>();
        data.reset();
        while (data.hasNext()) {
            parts.add(data.next());
        }
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("data iterator yielded no examples");
        }
        return fit(DataSet.merge(parts), epochs);
    }

    /**
     * Takes one private step with a fresh Poisson sample of {@code data}.
     *
     * @throws PrivacyBudgetExceededException if the step would exceed the budget (nothing happens)
     */
    public StepReport step(DataSet data) {
        Checks.notNull("data", data);
        Optional<String> refusal = budgetRefusal();
        if (refusal.isPresent()) {
            throw new PrivacyBudgetExceededException(config.budget(), Double.NaN, refusal.get());
        }
        // step() is typically called with the same data set again and again: reuse its row views while the
        // data set holds the same arrays (setFeatures and the like replace them).
        INDArray[] arrays = {data.getFeatures(), data.getLabels(), data.getFeaturesMaskArray(),
                data.getLabelsMaskArray()};
        if (lastStepArrays == null || !sameArrays(lastStepArrays, arrays)) {
            lastStepTraining = new TrainingData(data);
            lastStepArrays = arrays;
        }
        int[] batch = sampler.sample(lastStepTraining.size());
        return takeStep(lastStepTraining, batch, net.getEpochCount());
    }

    private static boolean sameArrays(INDArray[] a, INDArray[] b) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                return false;
            }
        }
        return true;
    }

    private long stepsPerEpoch() {
        return (long) Math.ceil(1.0 / config.sampleRate());
    }

    private Optional<String> budgetRefusal() {
        PrivacyBudget budget = config.budget();
        if (budget == null) {
            return Optional.empty();
        }
        if (stepsAllowed < 0) {
            stepsAllowed = NoiseCalibration.maxSteps(config.accountant(), ledger.toEvent(), config.noiseMultiplier(),
                    config.sampleRate(), budget);
        }
        if (stepsAllowed > 0) {
            return Optional.empty();
        }
        return Optional.of("privacy budget " + budget + " reached: stopping before step " + (ledger.totalSteps() + 1)
                + ", which would exceed it (" + config.accountant() + " accountant, " + ledger.totalSteps()
                + " steps spent)");
    }

    private StepReport takeStep(TrainingData data, int[] batch, int epoch) {
        recordStepInLedger();
        double expectedBatchSize = config.sampleRate() * data.size();
        clippedSum.assign(0);
        ClipCounter counter = new ClipCounter(config.l2NormClip(), config.nonFiniteNormPolicy());
        double lossSum = 0;
        for (int from = 0; from < batch.length; from += config.physicalBatchSize()) {
            int[] chunk = Arrays.copyOfRange(batch, from, Math.min(batch.length, from + config.physicalBatchSize()));
            try (MemoryWorkspace scope = batchWorkspace.open()) { // the gathered rows live only for this chunk
                MicroBatchResult result = backprop.addClippedSum(data.features(chunk), data.labels(chunk),
                        data.featuresMask(chunk), data.labelsMask(chunk), counter, clippedSum);
                lossSum += result.summedLoss();
            }
        }

        INDArray view = net.getGradientsViewArray();
        int iteration = net.getIterationCount();
        try (MemoryWorkspace scope = updateWorkspace.open()) {
            view.assign(clippedSum);
            double noiseStd = config.noiseStandardDeviation();
            if (noiseStd > 0) {
                for (long[] range : trainableRanges) {
                    noise.addGaussian(view.get(NDArrayIndex.point(0), NDArrayIndex.interval(range[0], range[1])),
                            noiseStd);
                }
            }
            view.divi(expectedBatchSize);
        }
        for (TrainingListener l : net.getListeners()) {
            l.onGradientCalculation(net); // the gradient is now clipped and noised: safe to observe
        }
        // The updater opens its own working-memory scope in the update workspace.
        updater.update(net, new DefaultGradient(view), iteration, epoch, 1, updateWorkspace.layerWorkspaces());
        net.params().subi(view.reshape(view.length()));
        stepsTaken++;

        double meanLoss = batch.length == 0 ? Double.NaN : lossSum / batch.length;
        if (batch.length > 0) {
            net.setScore(meanLoss + net.calcRegularizationScore(true));
        }
        for (TrainingListener l : net.getListeners()) {
            l.iterationDone(net, iteration, epoch);
        }
        BaseOptimizer.incrementIterationCount(net, 1);
        net.applyConstraints(net.getIterationCount(), net.getEpochCount());

        StepReport report = new StepReport(stepsTaken, epoch, batch.length, meanLoss, counter.clipped,
                counter.nonFinite);
        for (PrivacyListener l : listeners) {
            l.onStep(report);
        }
        return report;
    }

    /** Records the next step before it is computed; with checkpoints, reserves it on disk first. */
    private void recordStepInLedger() {
        PrivacyLedger next = ledger.record(config.noiseMultiplier(), config.sampleRate(), 1);
        if (checkpointDirectory != null && next.totalSteps() > journalReservedThrough) {
            long reserve = JOURNAL_RESERVATION;
            if (config.budget() != null) {
                reserve = Math.min(reserve, stepsAllowed);
            }
            PrivacyLedger reserved = ledger.record(config.noiseMultiplier(), config.sampleRate(), Math.max(1, reserve));
            try {
                journal().append(reserved);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot reserve the next steps in the privacy journal "
                        + journal().file() + "; no step was taken", e);
            }
            journalReservedThrough = reserved.totalSteps();
        }
        ledger = next;
        if (stepsAllowed > 0) {
            stepsAllowed--;
        }
    }

    private CheckpointJournal journal() {
        if (journal == null) {
            journal = new CheckpointJournal(checkpointDirectory);
        }
        return journal;
    }

    private List<int[]> shuffledBatches(int size) {
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        for (int i = size - 1; i > 0; i--) {
            int j = uniformIndex(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int batchSize = (int) Math.max(1, Math.round(config.sampleRate() * size));
        List<int[]> batches = new ArrayList<>();
        for (long s = 0; s < stepsPerEpoch(); s++) {
            int from = (int) ((s * batchSize) % size);
            int[] batch = new int[Math.min(batchSize, size)];
            for (int k = 0; k < batch.length; k++) {
                batch[k] = order[(from + k) % size];
            }
            batches.add(batch);
        }
        return batches;
    }

    /** Uniform in [0, bound) by rejection, without modulo bias. */
    private int uniformIndex(int bound) {
        long limit = Long.MAX_VALUE - (Long.MAX_VALUE % bound);
        while (true) {
            long r = noise.nextLong() >>> 1;
            if (r < limit) {
                return (int) (r % bound);
            }
        }
    }

    // ---------------------------------------------------------------- privacy

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
        Checks.openUnitInterval("delta", delta);
        Checks.notNull("accountant", accountant);
        return ledger.accountant(accountant).guarantee(delta);
    }

    /** The ledger of every step recorded so far. Immutable. */
    public PrivacyLedger ledger() {
        return ledger;
    }

    /** The privacy settings. */
    public DpSgdConfig config() {
        return config;
    }

    /** The network being trained (the same object that was passed in). */
    public MultiLayerNetwork network() {
        return net;
    }

    /** Steps whose update has been applied, over the whole run (resumes included). */
    public long stepsTaken() {
        return stepsTaken;
    }

    /** How per-example gradients are computed for this network. */
    public PrivateBackprop.Strategy strategy() {
        return backprop.strategy();
    }

    // ---------------------------------------------------------------- checkpoints

    /**
     * Writes a checkpoint to {@code directory/checkpoint.zip} atomically: the model with its
     * updater state, the privacy ledger, the step and epoch counters and the configuration.
     */
    public void saveCheckpoint(Path directory) throws IOException {
        Checks.notNull("directory", directory);
        DpSgdCheckpoint.write(directory, net, config, ledger, stepsTaken, checkpointEverySteps, noise.isSecure());
    }

    private void saveCheckpointIfConfigured() {
        if (checkpointDirectory == null) {
            return;
        }
        try {
            saveCheckpoint(checkpointDirectory);
            // The checkpoint now holds every step taken: release the journal's unused reservation.
            journal().append(ledger);
            journalReservedThrough = ledger.totalSteps();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint to " + checkpointDirectory, e);
        }
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
        Checks.notNull("directory", directory);
        Checks.notNull("noise", noise);
        DpSgdCheckpoint checkpoint = DpSgdCheckpoint.read(directory);
        PrivacyLedger ledger = checkpoint.ledger();
        Optional<PrivacyLedger> journaled = new CheckpointJournal(directory).latest();
        if (journaled.isPresent() && journaled.get().totalSteps() > ledger.totalSteps()) {
            log.warn("checkpoint records {} steps but the journal reserved {}: counting the {} steps recorded after "
                            + "the last checkpoint as spent", ledger.totalSteps(), journaled.get().totalSteps(),
                    journaled.get().totalSteps() - ledger.totalSteps());
            ledger = journaled.get();
        }
        return new DpSgdTrainer(checkpoint.network(), checkpoint.config(), noise, List.of(listeners), directory,
                checkpoint.checkpointEverySteps(), ledger, checkpoint.stepsTaken());
    }

    /** Resumes with secure noise; see {@link #resume(Path, NoiseSource, PrivacyListener...)}. */
    public static DpSgdTrainer resume(Path directory, PrivacyListener... listeners) throws IOException {
        return resume(directory, NoiseSource.secure(), listeners);
    }

    // ---------------------------------------------------------------- helpers

    /** Clipping factors for one micro-batch, counting clipped and non-finite examples. */
    private static final class ClipCounter implements io.github.dpsgd4j.optimizers.pergradient.ClipRule {
        private final double l2NormClip;
        private final NonFiniteNormPolicy policy;
        int clipped;
        int nonFinite;

        ClipCounter(double l2NormClip, NonFiniteNormPolicy policy) {
            this.l2NormClip = l2NormClip;
            this.policy = policy;
        }

        @Override
        public double[] factors(double[] squaredNorms) {
            ClipFactors factors = ClipFactors.fromSquaredNorms(squaredNorms, l2NormClip, policy);
            clipped += factors.clippedCount();
            nonFinite += factors.nonFiniteCount();
            return factors.factors();
        }

        @Override
        public double[] recountFree(double[] squaredNorms) {
            return ClipFactors.fromSquaredNorms(squaredNorms, l2NormClip, policy).factors();
        }
    }

    private static final class EpochTotals {
        double loss;
        long examples;
        long clipped;

        void add(StepReport report) {
            if (report.batchSize() > 0) {
                loss += report.meanLoss() * report.batchSize();
                examples += report.batchSize();
                clipped += report.clippedExamples();
            }
        }

        double meanLoss() {
            return examples == 0 ? Double.NaN : loss / examples;
        }

        double clippedFraction() {
            return examples == 0 ? 0 : (double) clipped / examples;
        }
    }

    /** The training set with its arrays flattened once for fast row gathers. */
    private static final class TrainingData {
        private final Rows features;
        private final Rows labels;
        private final Rows featuresMask;
        private final Rows labelsMask;
        private final int size;

        TrainingData(DataSet data) {
            if (data.getFeatures() == null || data.getLabels() == null) {
                throw new IllegalArgumentException("data must have features and labels");
            }
            long n = data.getFeatures().size(0);
            if (data.getLabels().size(0) != n) {
                throw new IllegalArgumentException("data has " + n + " feature rows but " + data.getLabels().size(0)
                        + " label rows");
            }
            if (n == 0 || n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("data must have between 1 and " + Integer.MAX_VALUE
                        + " examples, got " + n);
            }
            this.size = (int) n;
            this.features = new Rows(data.getFeatures());
            this.labels = new Rows(data.getLabels());
            this.featuresMask = data.getFeaturesMaskArray() == null ? null
                    : new Rows(checkRows("features mask", data.getFeaturesMaskArray(), n));
            this.labelsMask = data.getLabelsMaskArray() == null ? null
                    : new Rows(checkRows("labels mask", data.getLabelsMaskArray(), n));
        }

        private static INDArray checkRows(String what, INDArray array, long n) {
            if (array.rank() == 0 || array.size(0) != n) {
                throw new IllegalArgumentException("data has " + n + " examples but its " + what + " has shape "
                        + java.util.Arrays.toString(array.shape()) + "; its first dimension must be " + n);
            }
            return array;
        }

        int size() {
            return size;
        }

        INDArray features(int[] rows) {
            return features.gather(rows);
        }

        INDArray labels(int[] rows) {
            return labels.gather(rows);
        }

        INDArray featuresMask(int[] rows) {
            return featuresMask == null ? null : featuresMask.gather(rows);
        }

        INDArray labelsMask(int[] rows) {
            return labelsMask == null ? null : labelsMask.gather(rows);
        }
    }

    /** An array viewed as [N, rest] for gathering rows. */
    private static final class Rows {
        private final INDArray flat;
        private final long[] shape;

        Rows(INDArray array) {
            this.shape = array.shape();
            long n = shape[0];
            // A view when the array is already c-contiguous; one copy otherwise.
            this.flat = array.reshape('c', n, n == 0 ? 0 : array.length() / n);
        }

        INDArray gather(int[] rows) {
            long[] out = shape.clone();
            out[0] = rows.length;
            return Nd4j.pullRows(flat, 1, rows).reshape('c', out);
        }
    }

    // ---------------------------------------------------------------- builder

    /** Configures a {@link DpSgdTrainer}; see {@link DpSgdTrainer#builder}. */
    public static final class Builder {
        private final MultiLayerNetwork net;
        private Double l2NormClip;
        private Double noiseMultiplier;
        private Double sampleRate;
        private PrivacyBudget targetBudget;
        private double targetEpochs;
        private PrivacyBudget budget;
        private SamplingMethod samplingMethod = SamplingMethod.POISSON;
        private int physicalBatchSize = 256;
        private NonFiniteNormPolicy nonFiniteNormPolicy = NonFiniteNormPolicy.SKIP;
        private AccountantType accountant = AccountantType.PLD;
        private Double reportingDelta;
        private NoiseSource noise;
        private final List<PrivacyListener> listeners = new ArrayList<>();
        private Path checkpointDirectory;
        private long checkpointEverySteps;

        private Builder(MultiLayerNetwork net) {
            this.net = Checks.notNull("net", net);
        }

        /**
         * C, the L2 norm every example's gradient is clipped to; required, > 0. Infinity (no clipping)
         * is accepted only for comparisons with non-private training and gives no privacy: the
         * trainer logs a warning, and with a noise multiplier above 0 it is refused at build().
         */
        public Builder l2NormClip(double l2NormClip) {
            this.l2NormClip = Checks.positive("l2NormClip", l2NormClip);
            return this;
        }

        /** sigma, noise standard deviation over C; finite and >= 0. Or use {@link #targetBudget}. */
        public Builder noiseMultiplier(double noiseMultiplier) {
            this.noiseMultiplier = Checks.finiteNonNegative("noiseMultiplier", noiseMultiplier);
            return this;
        }

        /** q, the Poisson sampling rate (expected batch size / training-set size); required, in (0, 1]. */
        public Builder sampleRate(double sampleRate) {
            this.sampleRate = Checks.sampleRate("sampleRate", sampleRate);
            return this;
        }

        /**
         * Calibrates sigma so that {@code epochs} epochs ({@code ceil(epochs * ceil(1/q))} steps, what
         * {@link DpSgdTrainer#fit} takes) spend exactly {@code budget} (the smallest sigma that meets
         * it, by the configured accountant), and guards the budget.
         */
        public Builder targetBudget(PrivacyBudget budget, double epochs) {
            this.targetBudget = Checks.notNull("budget", budget);
            this.targetEpochs = Checks.finitePositive("epochs", epochs);
            return this;
        }

        /** A budget training must never exceed: it stops before the step that would. */
        public Builder budget(PrivacyBudget budget) {
            this.budget = Checks.notNull("budget", budget);
            return this;
        }

        /** How batches are drawn; {@link SamplingMethod#POISSON} by default. */
        public Builder samplingMethod(SamplingMethod method) {
            this.samplingMethod = Checks.notNull("samplingMethod", method);
            return this;
        }

        /** The largest micro-batch run through the network at once (memory only); 256 by default. */
        public Builder physicalBatchSize(int size) {
            this.physicalBatchSize = Checks.positive("physicalBatchSize", size);
            return this;
        }

        /** What happens to an example whose gradient norm is NaN or infinite; SKIP by default. */
        public Builder nonFiniteNormPolicy(NonFiniteNormPolicy policy) {
            this.nonFiniteNormPolicy = Checks.notNull("nonFiniteNormPolicy", policy);
            return this;
        }

        /** The accountant for reports, calibration and the budget guard; PLD (tight) by default. */
        public Builder accountant(AccountantType accountant) {
            this.accountant = Checks.notNull("accountant", accountant);
            return this;
        }

        /** The delta for epsilon reports during training; the budget's delta, else 1e-5. */
        public Builder reportingDelta(double delta) {
            this.reportingDelta = Checks.openUnitInterval("reportingDelta", delta);
            return this;
        }

        /** The randomness for noise and sampling; {@link NoiseSource#secure()} by default. */
        public Builder noiseSource(NoiseSource noise) {
            this.noise = Checks.notNull("noise", noise);
            return this;
        }

        /** Adds a listener for steps, epochs (with epsilon) and budget stops. */
        public Builder listener(PrivacyListener listener) {
            this.listeners.add(Checks.notNull("listener", listener));
            return this;
        }

        /**
         * Writes checkpoints to {@code directory} after every epoch, every {@code everySteps} steps
         * (0: epochs only) and when a budget stops training, and keeps a write-ahead journal of the
         * privacy ledger there.
         */
        public Builder checkpoints(Path directory, long everySteps) {
            this.checkpointDirectory = Checks.notNull("directory", directory);
            this.checkpointEverySteps = Checks.nonNegative("everySteps", everySteps);
            return this;
        }

        /** Validates everything and builds the trainer (calibrating sigma first if asked). */
        public DpSgdTrainer build() {
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
                throw new IllegalArgumentException("targetBudget " + targetBudget + " and budget " + budget
                        + " differ; set one");
            }
            PrivacyBudget guard = budget != null ? budget : targetBudget;
            double sigma;
            if (targetBudget != null) {
                // Exactly the steps fit() takes: epochs of ceil(1/q) steps each.
                long steps = (long) Math.ceil(targetEpochs * Math.ceil(1.0 / sampleRate));
                sigma = NoiseCalibration.noiseMultiplier(accountant, targetBudget, sampleRate, steps);
                log.info("calibrated noise multiplier {} for {} over {} steps ({} epochs) with the {} accountant",
                        sigma, targetBudget, steps, targetEpochs, accountant);
            } else {
                sigma = noiseMultiplier;
            }
            double delta = guard != null ? guard.delta() : reportingDelta != null ? reportingDelta : 1e-5;
            if (guard != null && reportingDelta != null && reportingDelta != guard.delta()) {
                throw new IllegalArgumentException("reportingDelta " + reportingDelta + " differs from the budget's delta "
                        + guard.delta());
            }
            DpSgdConfig config = new DpSgdConfig(l2NormClip, sigma, sampleRate, samplingMethod, physicalBatchSize,
                    nonFiniteNormPolicy, guard, accountant, delta);
            if (checkpointDirectory != null && (DpSgdCheckpoint.exists(checkpointDirectory)
                    || java.nio.file.Files.exists(checkpointDirectory.resolve(CheckpointJournal.FILE_NAME)))) {
                throw new IllegalArgumentException("checkpoint directory " + checkpointDirectory + " already holds a "
                        + "dpsgd4j run; resume it with DpSgdTrainer.resume(directory) or choose an empty directory");
            }
            NoiseSource source = noise != null ? noise : NoiseSource.secure();
            return new DpSgdTrainer(net, config, source, listeners, checkpointDirectory, checkpointEverySteps,
                    PrivacyLedger.empty(), 0);
        }
    }
}
