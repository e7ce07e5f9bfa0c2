package io.github.dpsgd4j.examples.training;

import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.optimizers.DpSgdTrainer;
import io.github.dpsgd4j.optimizers.EpochReport;
import io.github.dpsgd4j.optimizers.PrivacyListener;
import io.github.dpsgd4j.optimizers.StepPlan;
import io.github.dpsgd4j.optimizers.StepReport;
import io.github.dpsgd4j.optimizers.TrainingSummary;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs a {@link RunRecipe} through {@link DpSgdTrainer}: for a private recipe the noise is
 * calibrated by the trainer's {@code targetBudget} with the recipe's accountant so that exactly all
 * requested epochs spend the target epsilon (and the budget is guarded); the non-private baseline
 * (target epsilon +infinity) is the same recipe with noise multiplier 0, clipping and Poisson
 * sampling kept, so that it differs from the private run by the noise alone. The test accuracy is
 * measured after every epoch.
 *
 * <p>Not thread-safe; one run at a time per instance. Runs are independent.
 */
public final class TrainingRun {

    /** Micro-batch size for private steps (memory only; results do not depend on it). */
    static final int PHYSICAL_BATCH_SIZE = 512;
    /** Rows evaluated at once when measuring accuracy. */
    private static final int EVALUATION_CHUNK = 2048;

    private final RunRecipe recipe;
    private final PreparedData data;
    private final NoiseSource noise;
    private final long modelSeed;
    private final TrainingMonitor monitor;
    private final List<EpochRecord> history = new ArrayList<>();
    private DpSgdTrainer trainer;
    private MultiLayerNetwork network;
    private long startNanos;

    /**
     * @param recipe    what to train
     * @param data      the prepared data for the recipe's data set and model
     * @param noise     privacy noise and sampling randomness ({@link NoiseSource#secure()} unless
     *                  reproducibility is wanted)
     * @param modelSeed seed of the weight initialisation (data-independent; not privacy noise)
     * @param monitor   progress receiver
     */
    public TrainingRun(RunRecipe recipe, PreparedData data, NoiseSource noise, long modelSeed,
                       TrainingMonitor monitor) {
        this.recipe = Checks.notNull("recipe", recipe);
        this.data = Checks.notNull("data", data);
        this.noise = Checks.notNull("noise", noise);
        this.modelSeed = modelSeed;
        this.monitor = Checks.notNull("monitor", monitor);
        boolean sequences = data.train().getFeatures().rank() == 3;
        if (data.dataset() != recipe.dataset() || data.scattering() != recipe.model().usesScatteringFeatures()
                || sequences != recipe.model().usesRowSequences()) {
            throw new IllegalArgumentException("the prepared data (" + data.dataset().cliName()
                    + (data.scattering() ? ", scattering features" : sequences ? ", row sequences" : ", pixels")
                    + ") does not fit the recipe ("
                    + recipe.dataset().cliName() + ", " + recipe.model().cliName() + ")");
        }
        recipe.sampleRate(data.trainingSize()); // validates the batch size against N
    }

    /**
     * Trains from scratch.
     *
     * @param checkpointDirectory where to keep checkpoints (after every epoch), or null
     */
    public RunResult train(Path checkpointDirectory) {
        return train(checkpointDirectory, recipe.epochs());
    }

    /**
     * Trains the first {@code epochsNow} epochs of the recipe from scratch, with the noise
     * calibrated for all of the recipe's epochs; {@link #resume} continues from the checkpoints.
     *
     * @param checkpointDirectory where to keep checkpoints (after every epoch), or null
     * @param epochsNow           epochs to train now, in [1, recipe.epochs()]
     */
    public RunResult train(Path checkpointDirectory, int epochsNow) {
        Checks.inClosedRange("epochsNow", epochsNow, 1, recipe.epochs());
        network = recipe.model().build(data.imageHeight(), data.imageWidth(), data.inputLength(), data.classes(),
                recipe.learningRate(), modelSeed);
        double q = recipe.sampleRate(data.trainingSize());
        DpSgdTrainer.Builder builder = DpSgdTrainer.builder(network)
                .l2NormClip(recipe.l2NormClip())
                .sampleRate(q)
                .physicalBatchSize(Math.min(PHYSICAL_BATCH_SIZE, recipe.expectedBatchSize()))
                .reportingDelta(recipe.delta())
                .accountant(recipe.accountant())
                .noiseSource(noise)
                .listener(new Listener());
        if (recipe.isPrivate()) {
            // The trainer calibrates for exactly the steps fit() takes (StepPlan owns that arithmetic).
            builder.targetBudget(recipe.budget().orElseThrow(), recipe.epochs());
        } else {
            builder.noiseMultiplier(0);
        }
        if (checkpointDirectory != null) {
            builder.checkpoints(checkpointDirectory, 0);
        }
        trainer = builder.build();
        return fit(epochsNow, StepPlan.of(q, recipe.epochs()).totalSteps(), 0);
    }

    /**
     * Continues a run from its checkpoint directory until {@code recipe.epochs()} epochs
     * are done in total (the budget guard of the checkpoint still applies).
     *
     * @param earlierHistory the epochs recorded before the checkpoint (entries after the
     *                       checkpoint's epoch are dropped)
     * @throws IOException              if the checkpoint cannot be read
     * @throws IllegalArgumentException if the directory holds no checkpoint or one without a ledger
     */
    public RunResult resume(Path checkpointDirectory, List<EpochRecord> earlierHistory) throws IOException {
        Checks.notNull("checkpointDirectory", checkpointDirectory);
        Checks.notNull("earlierHistory", earlierHistory);
        trainer = DpSgdTrainer.resume(checkpointDirectory, noise, new Listener());
        network = trainer.network();
        int epochsDone = network.getEpochCount();
        for (EpochRecord r : earlierHistory) {
            if (r.epoch() <= epochsDone) {
                history.add(r);
            }
        }
        int remaining = Math.max(0, recipe.epochs() - epochsDone);
        return fit(remaining, StepPlan.of(trainer.config().sampleRate(), recipe.epochs()).totalSteps(), trainer.stepsTaken());
    }

    private RunResult fit(int epochs, long totalSteps, long stepsDone) {
        startNanos = System.nanoTime();
        monitor.runStarted(describe(), totalSteps, stepsDone);
        TrainingSummary summary;
        try {
            summary = trainer.fit(data.train(), epochs);
        } finally {
            monitor.runFinished();
        }
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        double delta = recipe.delta();
        return new RunResult(recipe, accuracy(network, data.test()), trainer.privacySpent(delta).epsilon(), delta,
                trainer.stepsTaken(), network.getEpochCount(), seconds, List.copyOf(history),
                Optional.of(trainer.ledger()), trainer.config(), noise.isSecure(), summary.budgetStop(), network);
    }

    private String describe() {
        return (recipe.isPrivate() ? "DP-SGD " : "no noise ") + recipe.model().cliName();
    }

    /** Fraction of {@code data}'s examples whose most probable class is the labelled one. */
    public static double accuracy(MultiLayerNetwork network, DataSet data) {
        Checks.notNull("network", network);
        Checks.notNull("data", data);
        long n = data.getFeatures().size(0);
        long correct = 0;
        for (long from = 0; from < n; from += EVALUATION_CHUNK) {
            long to = Math.min(n, from + EVALUATION_CHUNK);
            INDArray x = data.getFeatures().get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
            INDArray y = data.getLabels().get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
            INDArray predicted = network.output(x, false).argMax(1);
            INDArray actual = y.argMax(1);
            correct += predicted.eq(actual).castTo(DataType.INT).sumNumber().longValue();
        }
        return n == 0 ? Double.NaN : (double) correct / n;
    }

    /** Feeds the trainer's progress to the monitor and measures accuracy after each epoch. */
    private final class Listener implements PrivacyListener {
        @Override
        public void onStep(StepReport report) {
            monitor.stepDone();
        }

        @Override
        public void onEpochEnd(EpochReport report) {
            MultiLayerNetwork net = trainer.network();
            EpochRecord record = new EpochRecord(report.epoch() + 1, report.steps(), accuracy(net, data.test()),
                    report.spent().epsilon(), (System.nanoTime() - startNanos) / 1e9);
            history.add(record);
            monitor.epochDone(record, recipe.epochs());
        }
    }
}
