package io.github.dpsgd4j.examples.training;

import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.optimizers.EpochReport;
import io.github.dpsgd4j.optimizers.PrivacyListener;
import io.github.dpsgd4j.optimizers.StepPlan;
import io.github.dpsgd4j.optimizers.StepReport;
import io.github.dpsgd4j.optimizers.TrainingSummary;
import io.github.dpsgd4j.spark.SparkDpSgdTrainer;
import io.github.dpsgd4j.spark.SparkMasters;
import io.github.dpsgd4j.spark.SparkTrainerBuilder;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs a {@link RunRecipe} on Apache Spark with dp-spark's {@link SparkDpSgdTrainer}: the same
 * recipe, calibration, budget guard, checkpoints and per-epoch accuracy as {@link TrainingRun}, with
 * the clipped sums computed by Spark tasks. The training examples are distributed one per RDD element
 * over the context's default parallelism; the driver (this process) keeps the model, the ledger and
 * the noise. A checkpoint written here resumes in {@link TrainingRun} and the other way round.
 *
 * <p>Not thread-safe; one run per instance.
 */
public final class SparkTrainingRun {

    private final RunRecipe recipe;
    private final PreparedData data;
    private final NoiseSource noise;
    private final long modelSeed;
    private final TrainingMonitor monitor;
    private final String master;
    private final List<EpochRecord> history = new ArrayList<>();
    private MultiLayerNetwork network;
    private long startNanos;

    /** How a run's trainer is made once Spark and the data are up. */
    @FunctionalInterface
    private interface TrainerFactory {
        SparkDpSgdTrainer create(JavaSparkContext spark, JavaRDD<DataSet> rdd) throws IOException;
    }

    /**
     * @param master the Spark master URL (checked, and for a standalone master reached, before anything starts)
     * @see TrainingRun#TrainingRun for the other parameters
     */
    public SparkTrainingRun(RunRecipe recipe, PreparedData data, NoiseSource noise, long modelSeed,
                            TrainingMonitor monitor, String master) {
        this.recipe = Checks.notNull("recipe", recipe);
        this.data = Checks.notNull("data", data);
        this.noise = Checks.notNull("noise", noise);
        this.modelSeed = modelSeed;
        this.monitor = Checks.notNull("monitor", monitor);
        SparkMasters.requireSparkOnClasspath();
        this.master = SparkMasters.check(master);
        recipe.sampleRate(data.trainingSize()); // validates the batch size against N
    }

    /**
     * Trains all epochs of the recipe from scratch.
     *
     * @param checkpointDirectory where to keep checkpoints (after every epoch) and the privacy journal, or null
     */
    public RunResult train(Path checkpointDirectory) {
        return train(checkpointDirectory, recipe.epochs());
    }

    /**
     * Trains the first {@code epochsNow} epochs of the recipe from scratch, with the noise calibrated for all
     * of the recipe's epochs; {@link #resume} continues from the checkpoints.
     *
     * @param checkpointDirectory where to keep checkpoints (after every epoch) and the privacy journal, or null
     * @param epochsNow           epochs to train now, in [1, recipe.epochs()]
     */
    public RunResult train(Path checkpointDirectory, int epochsNow) {
        Checks.inClosedRange("epochsNow", epochsNow, 1, recipe.epochs());
        double q = recipe.sampleRate(data.trainingSize());
        return run(epochsNow, (spark, rdd) -> {
            network = recipe.model().build(data.imageHeight(), data.imageWidth(), data.inputLength(),
                    data.classes(), recipe.learningRate(), modelSeed);
            SparkTrainerBuilder builder = SparkDpSgdTrainer.builder(spark, network).data(rdd)
                    .l2NormClip(recipe.l2NormClip())
                    .sampleRate(q)
                    .physicalBatchSize(Math.min(TrainingRun.PHYSICAL_BATCH_SIZE, recipe.expectedBatchSize()))
                    .reportingDelta(recipe.delta())
                    .accountant(recipe.accountant())
                    .noiseSource(noise)
                    .listener(new Listener());
            if (recipe.isPrivate()) {
                builder.targetBudget(recipe.budget().orElseThrow(), recipe.epochs());
            } else {
                builder.noiseMultiplier(0);
            }
            if (checkpointDirectory != null) {
                builder.checkpoints(checkpointDirectory, 0);
            }
            return builder.build();
        });
    }

    /**
     * Continues a run from its checkpoint directory (written by either engine) until {@code recipe.epochs()}
     * epochs are done in total; the checkpoint's configuration, budget guard and ledger continue.
     *
     * @param earlierHistory the epochs recorded before the checkpoint (entries after its epoch are dropped)
     * @throws IOException if the checkpoint cannot be read
     */
    public RunResult resume(Path checkpointDirectory, List<EpochRecord> earlierHistory) throws IOException {
        Checks.notNull("checkpointDirectory", checkpointDirectory);
        Checks.notNull("earlierHistory", earlierHistory);
        try {
            return run(recipe.epochs(), (spark, rdd) -> {
                SparkDpSgdTrainer trainer = SparkDpSgdTrainer.resume(spark, checkpointDirectory, rdd, noise,
                        new Listener());
                if (!(trainer.model() instanceof MultiLayerNetwork net)) {
                    trainer.close();
                    throw new IllegalArgumentException("--resume " + checkpointDirectory + " holds a "
                            + trainer.model().getClass().getSimpleName() + ", not a command-line model");
                }
                network = net;
                for (EpochRecord r : earlierHistory) {
                    if (r.epoch() <= network.getEpochCount()) {
                        history.add(r);
                    }
                }
                return trainer;
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Starts Spark, distributes the training set, makes the trainer and trains until epoch {@code lastEpoch}. */
    private RunResult run(int lastEpoch, TrainerFactory factory) {
        SparkConf conf = new SparkConf().setMaster(master).setAppName("dpsgd4j train")
                .set("spark.ui.enabled", "false");
        if (master.startsWith("local")) {
            conf.set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
        }
        try (JavaSparkContext spark = new JavaSparkContext(conf)) {
            // parallelize keeps the examples in the partition objects, which every task would carry: cache them
            // and cut the lineage once (an RDD read from files needs no such step).
            JavaRDD<DataSet> rdd = spark.parallelize(data.train().asList(), spark.defaultParallelism()).cache();
            rdd.rdd().localCheckpoint();
            rdd.count();
            SparkDpSgdTrainer trainer;
            try {
                trainer = factory.create(spark, rdd);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            try (trainer) {
                double q = trainer.config().sampleRate();
                long stepsDone = trainer.stepsTaken();
                int epochs = Math.max(0, lastEpoch - network.getEpochCount());
                startNanos = System.nanoTime();
                monitor.runStarted("DP-SGD on Spark " + recipe.model().cliName(),
                        StepPlan.of(q, recipe.epochs()).totalSteps(), stepsDone);
                TrainingSummary summary;
                try {
                    summary = trainer.fit(epochs);
                } finally {
                    monitor.runFinished();
                }
                double seconds = (System.nanoTime() - startNanos) / 1e9;
                double delta = recipe.delta();
                return new RunResult(recipe, TrainingRun.accuracy(network, data.test()),
                        trainer.privacySpent(delta).epsilon(), delta, trainer.stepsTaken(), network.getEpochCount(),
                        seconds, List.copyOf(history), Optional.of(trainer.ledger()), trainer.config(),
                        noise.isSecure(), summary.budgetStop(), network);
            }
        }
    }

    /** Feeds progress to the monitor and measures accuracy after each epoch (on the driver). */
    private final class Listener implements PrivacyListener {
        @Override
        public void onStep(StepReport report) {
            monitor.stepDone();
        }

        @Override
        public void onEpochEnd(EpochReport report) {
            EpochRecord record = new EpochRecord(report.epoch() + 1, report.steps(),
                    TrainingRun.accuracy(network, data.test()), report.spent().epsilon(),
                    (System.nanoTime() - startNanos) / 1e9);
            history.add(record);
            monitor.epochDone(record, recipe.epochs());
        }
    }
}
