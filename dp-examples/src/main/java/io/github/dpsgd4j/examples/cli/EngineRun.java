package io.github.dpsgd4j.examples.cli;

import io.github.dpsgd4j.accounting.PrivacyLedger;
import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.examples.training.PreparedData;
import io.github.dpsgd4j.examples.training.RunRecipe;
import io.github.dpsgd4j.examples.training.RunResult;
import io.github.dpsgd4j.examples.training.SparkTrainingRun;
import io.github.dpsgd4j.examples.training.TrainingMonitor;
import io.github.dpsgd4j.examples.training.TrainingRun;
import io.github.dpsgd4j.optimizers.DpSgdCheckpoint;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The training of {@code dpsgd4j train} on the chosen engine ({@link EngineOption}): from scratch (with
 * checkpoints if asked) or continued from a checkpoint directory, by the single-machine
 * {@link TrainingRun} or by {@link SparkTrainingRun}. Both engines write the same checkpoints, so a run
 * checkpointed by one resumes in the other.
 */
final class EngineRun {

    private final TrainingRun local;
    private final SparkTrainingRun spark;
    private final TrainState state;

    /**
     * Checks the run's settings (for Spark: the master URL, reached if standalone) before anything is written.
     *
     * @param sparkMaster the Spark master URL, or null for the single-machine engine
     */
    EngineRun(String sparkMaster, RunRecipe recipe, PreparedData prepared, NoiseSource noise, TrainState state,
              TrainingMonitor monitor) {
        this.state = state;
        this.spark = sparkMaster == null ? null
                : new SparkTrainingRun(recipe, prepared, noise, state.modelSeed(), monitor, sparkMaster);
        this.local = sparkMaster != null ? null : new TrainingRun(recipe, prepared, noise, state.modelSeed(), monitor);
    }

    /**
     * Trains the recipe from scratch, or continues the run checkpointed in the directory.
     *
     * @param checkpointDirectory where checkpoints are kept (--checkpoint or --resume), or null
     * @param resume              whether the directory is to be resumed (--resume)
     * @param err                 where the notice about a journal without a checkpoint goes
     */
    RunResult train(Path checkpointDirectory, boolean resume, PrintWriter err) throws IOException {
        // A run stopped before its first checkpoint left only its journal: restart it from fresh weights; the
        // trainer built on the directory counts the journal's steps as spent.
        Optional<PrivacyLedger> journalOnly = resume ? DpSgdCheckpoint.journalWithoutCheckpoint(checkpointDirectory)
                : Optional.empty();
        journalOnly.ifPresent(ledger -> err.println("dpsgd4j train: --resume " + checkpointDirectory
                + ": the run stopped before its first checkpoint; training restarts from fresh weights and its "
                + "privacy journal's " + ledger.totalSteps() + " steps stay counted as spent"));
        boolean continueCheckpoint = resume && journalOnly.isEmpty();
        if (spark != null) {
            return continueCheckpoint ? spark.resume(checkpointDirectory, state.history())
                    : spark.train(checkpointDirectory);
        }
        return continueCheckpoint ? local.resume(checkpointDirectory, state.history()) : local.train(checkpointDirectory);
    }
}
